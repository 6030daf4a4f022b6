// SPDX-License-Identifier: Apache-2.0
// The libsystemd calls lossd makes, with small helpers for what Swift cannot call directly
// (variadic functions, iovec arrays). Only LossdSystemd imports this module.
#ifndef LOSSD_CSYSTEMD_SHIM_H
#define LOSSD_CSYSTEMD_SHIM_H

// lossd passes its own CODE_FILE/CODE_LINE/CODE_FUNC fields (the Swift call site), so the
// header's macro that would stamp this shim's location is turned off.
#define SD_JOURNAL_SUPPRESS_LOCATION 1

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

/// Sends one structured journal entry of `count` fields, each "NAME=value" of `lengths[i]` bytes
/// (values may hold newlines or NUL bytes). Returns sd_journal_sendv's result (0 or -errno).
/// Sound: iov lives on this frame for the duration of the call; sd_journal_sendv copies the data.
static inline int lossd_journal_sendv(const char *const *fields, const size_t *lengths, int count) {
    if (count <= 0 || count > 256) return -22; /* -EINVAL */
    struct iovec iov[256];
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)fields[i];
        iov[i].iov_len = lengths[i];
    }
    return sd_journal_sendv(iov, count);
}

/// sd_notify with unset_environment = 0: the socket stays known for later messages.
static inline int lossd_notify(const char *state) {
    return sd_notify(/* unset_environment= */ 0, state);
}

/// The watchdog interval in microseconds, or 0 when WatchdogSec= is not set for this process.
static inline uint64_t lossd_watchdog_usec(void) {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(/* unset_environment= */ 0, &usec) <= 0) return 0;
    return usec;
}

#endif
