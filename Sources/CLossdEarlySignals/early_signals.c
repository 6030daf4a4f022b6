// SPDX-License-Identifier: Apache-2.0
//
// Catches the stop signals of `lossd run` and `lossd serve` before any library initializer or
// Swift code runs, so that a SIGTERM sent right after the process starts is a graceful stop
// instead of the default action (ending with status 143).
//
// An executable's .preinit_array functions run after the dynamic linker has loaded and
// relocated everything and before any initializer of a shared library or of Swift's runtime;
// glibc passes them argc, argv and envp. The function below installs a handler that only counts
// the signal (async-signal-safe: a store to a sig_atomic_t; the signal is blocked while its own
// handler runs, so the increment cannot interleave with itself). SignalRelay.install replaces
// it first thing in main and replays what was counted (lossd_early_signal_count). The subcommand
// is argv[1], as LossdMain reads it: run catches SIGTERM and SIGINT, serve also SIGHUP; any other
// command keeps the default actions.

#include "lossd_early_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t early_counts[NSIG];

static void count_early_signal(int signal) {
    if (signal > 0 && signal < NSIG) early_counts[signal] += 1;
}

static void catch_stop_signals_early(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv[1] == NULL) return;
    int serve = strcmp(argv[1], "serve") == 0;
    if (!serve && strcmp(argv[1], "run") != 0) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = count_early_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    if (serve) sigaction(SIGHUP, &action, NULL);
}

// Only an executable's .preinit_array is run; in a test bundle argv[1] is not a lossd command.
__attribute__((section(".preinit_array"), used))
static void (*const catch_stop_signals_early_entry)(int, char **, char **) = catch_stop_signals_early;

int lossd_early_signal_count(int signal) {
    return signal > 0 && signal < NSIG ? (int)early_counts[signal] : 0;
}
