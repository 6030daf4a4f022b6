/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblossd-test-broken: a test plugin with one defect, chosen by the name the library file is
 * loaded under. The tests copy the built library to `broken-DEFECT.so` and load that copy:
 *
 *     abi        abi_version 99
 *     null       lossd_plugin_entry() returns NULL
 *     nullname   a loss whose name is NULL
 *     emptyname  an empty plugin name
 *     nocompute  a loss without a compute function
 *     badoption  an option of unknown type 7
 *     badname    a loss named "Bad Name"
 *     twice      two losses both named "dup"
 *     builtin    a loss named "mse", which lossd has built in
 *     clash      a loss named "logcosh", as the example plugin's
 *     gradient   squared error whose gradient misses the factor 2 (fails the gradient check)
 *     nan        log(cosh(d)) computed naively: inf/NaN once |d| > ~710 (passes the check)
 *     error      squared error that reports an error for inputs outside [0, 1] (passes the check)
 *     good       a correct squared-error loss, "fixture_sq"
 *     segv       squared error, "crash_at_12345", that writes through NULL (SIGSEGV) when input[0] is 12345 (a
 *                job's init; the load-time gradient check never passes it)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <lossd/plugin.h>
#include <math.h>
#include <string.h>

/* Squared error; `factor` 2 is right, 1 is the "gradient" defect. */
static int squared(const lossd_call *call, double factor) {
    double scale = call->reduction == LOSSD_REDUCTION_MEAN ? 1.0 / (double)call->count : 1.0, total = 0.0;
    for (int64_t i = 0; i < call->count; i++) {
        double d = call->input[i] - call->target[i];
        if (call->reduction == LOSSD_REDUCTION_NONE) call->output[i] = d * d; else total += d * d;
        if (call->grad_input) call->grad_input[i] = factor * d * scale;
        if (call->grad_target) call->grad_target[i] = -factor * d * scale;
    }
    if (call->reduction == LOSSD_REDUCTION_MEAN) call->output[0] = total / (double)call->count;
    if (call->reduction == LOSSD_REDUCTION_SUM) call->output[0] = total;
    return LOSSD_OK;
}

static int good_compute(const lossd_call *call) { return squared(call, 2.0); }
static int gradient_compute(const lossd_call *call) { return squared(call, 1.0); }

static int error_compute(const lossd_call *call) {
    for (int64_t i = 0; i < call->count; i++) {
        if (call->input[i] < 0.0 || call->input[i] > 1.0)
            return lossd_fail(call, "input[%lld] = %g is outside [0, 1]", (long long)i, call->input[i]);
    }
    return squared(call, 2.0);
}

static int segv_compute(const lossd_call *call) {
    /* A real fault (raise() would let a handler return and the process go on). */
    if (call->count > 0 && call->input[0] == 12345.0) *(volatile int *)0 = 1;
    return squared(call, 2.0);
}

static int nan_compute(const lossd_call *call) {
    double scale = call->reduction == LOSSD_REDUCTION_MEAN ? 1.0 / (double)call->count : 1.0, total = 0.0;
    for (int64_t i = 0; i < call->count; i++) {
        double d = call->input[i] - call->target[i];
        double value = log(cosh(d)); /* the defect: cosh overflows */
        if (call->reduction == LOSSD_REDUCTION_NONE) call->output[i] = value; else total += value;
        if (call->grad_input) call->grad_input[i] = sinh(d) / cosh(d) * scale;
        if (call->grad_target) call->grad_target[i] = -sinh(d) / cosh(d) * scale;
    }
    if (call->reduction == LOSSD_REDUCTION_MEAN) call->output[0] = total / (double)call->count;
    if (call->reduction == LOSSD_REDUCTION_SUM) call->output[0] = total;
    return LOSSD_OK;
}

#define LOSS(NAME, COMPUTE) \
    {.name = NAME, .description = "test fixture", .flags = LOSSD_LOSS_TARGET_DIFFERENTIABLE, \
     .default_reduction = LOSSD_REDUCTION_MEAN, .compute = COMPUTE}

static const lossd_option bad_option[] = {{.name = "weird", .type = 7, .default_value = {.i = 0}}};

static const lossd_loss good_losses[] = {LOSS("fixture_sq", good_compute)};
static const lossd_loss gradient_losses[] = {LOSS("bad_gradient", gradient_compute)};
static const lossd_loss nan_losses[] = {LOSS("naive_logcosh", nan_compute)};
static const lossd_loss error_losses[] = {LOSS("unit_interval", error_compute)};
static const lossd_loss segv_losses[] = {LOSS("crash_at_12345", segv_compute)};
static const lossd_loss nullname_losses[] = {LOSS(NULL, good_compute)};
static const lossd_loss nocompute_losses[] = {LOSS("no_compute", NULL)};
static const lossd_loss badname_losses[] = {LOSS("Bad Name", good_compute)};
static const lossd_loss twice_losses[] = {LOSS("dup", good_compute), LOSS("dup", good_compute)};
static const lossd_loss builtin_losses[] = {LOSS("mse", good_compute)};
static const lossd_loss clash_losses[] = {LOSS("logcosh", good_compute)};
static const lossd_loss badoption_losses[] = {
    {.name = "bad_option", .default_reduction = LOSSD_REDUCTION_MEAN, .option_count = 1, .options = bad_option,
     .compute = good_compute},
};

#define PLUGIN(ABI, NAME, LOSSES) \
    {.abi_version = ABI, .name = NAME, .version = "0.1", .loss_count = sizeof LOSSES / sizeof LOSSES[0], .losses = LOSSES}

static const struct {
    const char *defect;
    lossd_plugin plugin;
} variants[] = {
    {"abi", PLUGIN(99, "broken-abi", good_losses)},
    {"nullname", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-nullname", nullname_losses)},
    {"emptyname", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "", good_losses)},
    {"nocompute", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-nocompute", nocompute_losses)},
    {"badoption", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-badoption", badoption_losses)},
    {"badname", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-badname", badname_losses)},
    {"twice", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-twice", twice_losses)},
    {"builtin", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-builtin", builtin_losses)},
    {"clash", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-clash", clash_losses)},
    {"gradient", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-gradient", gradient_losses)},
    {"nan", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-nan", nan_losses)},
    {"error", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-error", error_losses)},
    {"segv", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "broken-segv", segv_losses)},
    {"good", PLUGIN(LOSSD_PLUGIN_ABI_VERSION, "fixture-good", good_losses)},
};

/* The DEFECT of a file named ...-DEFECT.so, or "" when the name does not say. */
static void defect_of_file(char *defect, size_t size) {
    Dl_info info;
    defect[0] = '\0';
    if (!dladdr((const void *)defect_of_file, &info) || info.dli_fname == NULL) return;
    const char *dash = strrchr(info.dli_fname, '-');
    const char *dot = strstr(dash ? dash : "", ".so");
    if (dash == NULL || dot == NULL || (size_t)(dot - dash - 1) >= size) return;
    memcpy(defect, dash + 1, (size_t)(dot - dash - 1));
    defect[dot - dash - 1] = '\0';
}

LOSSD_PLUGIN_EXPORT const lossd_plugin *lossd_plugin_entry(void) {
    char defect[32];
    defect_of_file(defect, sizeof defect);
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (strcmp(variants[i].defect, defect) == 0) return &variants[i].plugin;
    }
    return NULL; /* "null", and any name that names no defect */
}
