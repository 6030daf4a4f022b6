/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblossd-test-faulty: a squared-error loss whose compute misbehaves the way a buggy plugin
 * does, for the integration suite's stop, watchdog and crash scenarios. The misbehaviour is
 * chosen when the library is built and switched on per job by the bool option `fault`, so the
 * gradient check lossd runs at load time (default options) passes:
 *
 *     cc -std=c11 -fPIC -shared -DFIXTURE_HANG     -I Sources/CLossdPlugin/include faulty.c
 *         loss "fixture_hang":     with fault: true, compute never returns
 *     cc -std=c11 -fPIC -shared -DFIXTURE_SEGFAULT -I Sources/CLossdPlugin/include faulty.c
 *         loss "fixture_segfault": with fault: true, compute writes through a null pointer
 */
#define _POSIX_C_SOURCE 199309L
#include <lossd/plugin.h>
#include <time.h>

#if defined(FIXTURE_HANG)
#define FIXTURE_NAME "lossd-test-hang"
#define FIXTURE_LOSS "fixture_hang"
/* Blocks the calling thread for good; signals that interrupt the sleep do not end it. */
static void misbehave(void) {
    for (;;) {
        struct timespec hour = {.tv_sec = 3600, .tv_nsec = 0};
        nanosleep(&hour, NULL);
    }
}
#elif defined(FIXTURE_SEGFAULT)
#define FIXTURE_NAME "lossd-test-segfault"
#define FIXTURE_LOSS "fixture_segfault"
/* A store through a null pointer: SIGSEGV in the calling thread, as a real bug would raise. */
static void misbehave(void) {
    volatile int *nowhere = NULL;
    *nowhere = 1;
}
#else
#error "build with -DFIXTURE_HANG or -DFIXTURE_SEGFAULT"
#endif

/* Squared error (mean, sum or none) with its gradients; misbehaves first when `fault` is set. */
static int compute(const lossd_call *call) {
    if (call->options[0].b) misbehave();
    double scale = call->reduction == LOSSD_REDUCTION_MEAN ? 1.0 / (double)call->count : 1.0, total = 0.0;
    for (int64_t i = 0; i < call->count; i++) {
        double d = call->input[i] - call->target[i];
        if (call->reduction == LOSSD_REDUCTION_NONE) call->output[i] = d * d; else total += d * d;
        if (call->grad_input) call->grad_input[i] = 2.0 * d * scale;
        if (call->grad_target) call->grad_target[i] = -2.0 * d * scale;
    }
    if (call->reduction == LOSSD_REDUCTION_MEAN) call->output[0] = total / (double)call->count;
    if (call->reduction == LOSSD_REDUCTION_SUM) call->output[0] = total;
    return LOSSD_OK;
}

static const lossd_option options[] = {
    {.name = "fault", .description = "misbehave on every call", .type = LOSSD_OPTION_BOOL, .default_value = {.b = 0}},
};

static const lossd_loss losses[] = {{
    .name = FIXTURE_LOSS, .description = "test fixture: squared error, or a fault", .flags = LOSSD_LOSS_TARGET_DIFFERENTIABLE,
    .default_reduction = LOSSD_REDUCTION_MEAN, .option_count = 1, .options = options, .compute = compute,
}};

static const lossd_plugin plugin = {
    .abi_version = LOSSD_PLUGIN_ABI_VERSION, .name = FIXTURE_NAME, .version = "0.1", .loss_count = 1, .losses = losses,
};

LOSSD_PLUGIN_EXPORT const lossd_plugin *lossd_plugin_entry(void) { return &plugin; }
