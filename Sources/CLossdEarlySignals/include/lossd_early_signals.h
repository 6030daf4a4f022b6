// SPDX-License-Identifier: Apache-2.0
#ifndef LOSSD_EARLY_SIGNALS_H
#define LOSSD_EARLY_SIGNALS_H

/// How many times `signal` arrived between the process's start and now while only the early
/// handler was installed (see early_signals.c); 0 for a signal it does not catch.
int lossd_early_signal_count(int signal);

#endif
