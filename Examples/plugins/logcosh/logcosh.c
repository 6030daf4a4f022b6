/* SPDX-License-Identifier: Apache-2.0 */
/*
 * liblossd-logcosh: the log-cosh loss as a lossd plugin, in C (the tutorial of lossd/plugin.h).
 *
 *     Per element:  d_i = x_i - y_i ,   l_i = log(cosh(a d_i)) / a           (a = sharpness > 0)
 *     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
 *     Gradient:     dL/dx_i = s tanh(a d_i) ,  dL/dy_i = -s tanh(a d_i) ,   s = 1/N (mean) or 1
 *
 * log(cosh(z)) is computed as |z| + log1p(exp(-2|z|)) - log(2), which neither overflows for large
 * |z| (cosh(z) is infinite past |z| ~ 710) nor loses precision near 0. Like a smooth Huber
 * loss, it is quadratic (a d^2 / 2) near 0 and linear (|d| - log(2)/a) far from it.
 *
 * Build and install by hand (the package builds it as .build/<config>/liblossd-logcosh.so):
 *
 *     cc -std=c11 -O2 -fPIC -shared -I Sources/CLossdPlugin/include \
 *        -o liblossd-logcosh.so Examples/plugins/logcosh/logcosh.c -lm
 *     install -m 0644 liblossd-logcosh.so /usr/lib/lossd/plugins/
 */
#include <lossd/plugin.h>
#include <math.h>

/* log(cosh(z)) without overflow. */
static double log_cosh(double z) {
    double a = fabs(z);
    return a + log1p(exp(-2.0 * a)) - log(2.0);
}

/* The options, in the order of the descriptor below: call->options[0] is `sharpness`. */
enum { OPTION_SHARPNESS = 0 };

/* Range checks run when a job is configured, so a bad value is a configuration error. */
static int logcosh_check_options(const void *context, const lossd_value *options, char *error, size_t error_size) {
    (void)context;
    double a = options[OPTION_SHARPNESS].f;
    if (!(a > 0.0)) {
        snprintf(error, error_size, "option 'sharpness' must be > 0, got %g", a);
        return LOSSD_ERROR;
    }
    return LOSSD_OK;
}

/* Value and gradients in one pass over the elements. Reentrant: no state outside the call. */
static int logcosh_compute(const lossd_call *call) {
    const double a = call->options[OPTION_SHARPNESS].f;
    const int64_t n = call->count;
    const double scale = call->reduction == LOSSD_REDUCTION_MEAN ? 1.0 / (double)n : 1.0;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const double d = call->input[i] - call->target[i];
        const double value = log_cosh(a * d) / a;
        const double slope = tanh(a * d);
        if (call->reduction == LOSSD_REDUCTION_NONE) {
            call->output[i] = value;
        } else {
            total += value;
        }
        if (call->grad_input != NULL) call->grad_input[i] = slope * scale;
        if (call->grad_target != NULL) call->grad_target[i] = -slope * scale;
    }
    if (call->reduction == LOSSD_REDUCTION_MEAN) call->output[0] = total / (double)n;
    if (call->reduction == LOSSD_REDUCTION_SUM) call->output[0] = total;
    return LOSSD_OK;
}

static const lossd_option logcosh_options[] = {
    {.name = "sharpness", .description = "a in log(cosh(a d)) / a: larger is closer to |d|, > 0",
     .type = LOSSD_OPTION_FLOAT, .default_value = {.f = 1.0}},
};

static const lossd_loss logcosh_losses[] = {
    {
        .name = "logcosh",
        .description = "log-cosh: smooth, quadratic near zero and linear far from it",
        .flags = LOSSD_LOSS_TARGET_DIFFERENTIABLE,
        .default_reduction = LOSSD_REDUCTION_MEAN,
        .option_count = sizeof logcosh_options / sizeof logcosh_options[0],
        .options = logcosh_options,
        .compute = logcosh_compute,
        .check_options = logcosh_check_options,
        .context = NULL,
    },
};

static const lossd_plugin logcosh_plugin = {
    .abi_version = LOSSD_PLUGIN_ABI_VERSION,
    .name = "lossd-logcosh",
    .version = "1.0",
    .loss_count = sizeof logcosh_losses / sizeof logcosh_losses[0],
    .losses = logcosh_losses,
};

LOSSD_PLUGIN_EXPORT const lossd_plugin *lossd_plugin_entry(void) { return &logcosh_plugin; }
