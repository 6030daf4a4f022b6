// SPDX-License-Identifier: Apache-2.0
#ifndef LOSSD_PRIORITY_H
#define LOSSD_PRIORITY_H

// This target has no API: linked into the lossd executable, its setpriority(2) replaces libc's
// for the process (see setpriority.c).

#endif
