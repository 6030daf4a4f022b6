/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lossd/plugin.h - the loss plugin ABI of lossd, version 1.
 *
 * A loss plugin is a shared library (ELF .so) that exports one C symbol,
 *
 *     const lossd_plugin *lossd_plugin_entry(void);
 *
 * returning a descriptor of the plugin and of its losses. lossd dlopen()s the file, calls the
 * entry once, checks the descriptor, runs a gradient check on every loss and registers the
 * losses next to the built-in ones. Any language that can export a C symbol can write one
 * (C, C++ with extern "C", Swift with @_cdecl, Rust with #[no_mangle] extern "C", ...).
 *
 * Writing a plugin, in short (the full example is Examples/plugins/logcosh/logcosh.c):
 *
 *     #include <lossd/plugin.h>
 *
 *     static int my_compute(const lossd_call *call) {
 *         // read call->input / call->target (call->count elements each), write call->output
 *         // (1 element, or call->count for LOSSD_REDUCTION_NONE) and, when not NULL,
 *         // call->grad_input / call->grad_target (call->count elements each).
 *         return LOSSD_OK;   // or: return lossd_fail(call, "beta must be > 0, got %g", beta);
 *     }
 *     static const lossd_loss my_losses[] = {{
 *         .name = "my_loss", .description = "...", .default_reduction = LOSSD_REDUCTION_MEAN,
 *         .compute = my_compute,
 *     }};
 *     static const lossd_plugin my_plugin = {
 *         .abi_version = LOSSD_PLUGIN_ABI_VERSION, .name = "my-plugin", .version = "1.0",
 *         .loss_count = 1, .losses = my_losses,
 *     };
 *     LOSSD_PLUGIN_EXPORT const lossd_plugin *lossd_plugin_entry(void) { return &my_plugin; }
 *
 * Build and install:
 *
 *     cc -std=c11 -O2 -fPIC -shared -o libmy-plugin.so my_plugin.c -lm
 *     install -m 0644 libmy-plugin.so /usr/lib/lossd/plugins/
 *
 * Stability rules:
 * - Every struct here is append-only: a later ABI version may add fields at the end, never
 *   remove, reorder or retype one. lossd refuses a plugin whose abi_version it does not know.
 * - The names of the losses are the plugin's interface: lossd refuses a plugin whose loss name
 *   is already taken (by a built-in loss or another plugin); nothing is ever replaced.
 *
 * Pointer ownership:
 * - Everything the descriptor points to (strings, arrays, the descriptor itself) is owned by
 *   the plugin and must stay valid and unchanged while the library is loaded: use static
 *   storage. lossd never dlclose()s a plugin.
 * - Everything a lossd_call points to is owned by lossd and valid only during the call; the
 *   plugin must not keep any of those pointers.
 *
 * Threading:
 * - lossd_plugin_entry() is called once per load, from one thread.
 * - check_options and compute may be called concurrently from several threads, for the same
 *   loss and for different ones, always with distinct buffers. They must be reentrant: no
 *   writable global state (or only state protected by the plugin's own locks).
 * - Neither may block for long, call exit(), raise signals, or write to stdout.
 */
#ifndef LOSSD_PLUGIN_H
#define LOSSD_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes; a plugin puts it in lossd_plugin.abi_version. */
#define LOSSD_PLUGIN_ABI_VERSION 1u

/* The name of the entry symbol lossd looks up with dlsym(). */
#define LOSSD_PLUGIN_ENTRY_SYMBOL "lossd_plugin_entry"

/* Marks the entry point as exported even when the library is built with -fvisibility=hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define LOSSD_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define LOSSD_PLUGIN_EXPORT
#endif

/* Return values of compute and check_options. */
#define LOSSD_OK 0     /* success */
#define LOSSD_ERROR 1  /* failure; the message is in call->error / the error buffer */

/* Reductions, with ATen's integers (at::Reduction): the value of a loss's `reduction` option. */
#define LOSSD_REDUCTION_NONE 0  /* output: one value per element (call->count values) */
#define LOSSD_REDUCTION_MEAN 1  /* output: one value, the mean over the elements */
#define LOSSD_REDUCTION_SUM 2   /* output: one value, the sum over the elements */

/* lossd_loss.flags */
#define LOSSD_LOSS_TARGET_DIFFERENTIABLE 1u  /* compute writes grad_target when asked */

/* The type of an option. */
typedef enum lossd_option_type {
    LOSSD_OPTION_FLOAT = 1, /* a finite double (value.f); integers are accepted in the config */
    LOSSD_OPTION_INT = 2,   /* a 64-bit integer (value.i) */
    LOSSD_OPTION_BOOL = 3   /* 0 or 1 (value.b) */
} lossd_option_type;

/* An option's value; the member read is the one of the option's type. */
typedef union lossd_value {
    double f;
    int64_t i;
    int32_t b;
} lossd_value;

/* One option of a loss, written in the job's `loss:` mapping as `name: value`. */
typedef struct lossd_option {
    const char *name;        /* [a-z][a-z0-9_]*, not "name" or "reduction" */
    const char *description; /* one line for `lossd losses NAME`; may be NULL */
    uint32_t type;           /* a lossd_option_type */
    lossd_value default_value;
} lossd_option;

/* One evaluation: what lossd passes to lossd_loss.compute. All pointers are lossd's, valid
 * only during the call. input and target have the same shape and hold only finite values. */
typedef struct lossd_call {
    const void *context;          /* lossd_loss.context, as given */
    const lossd_value *options;   /* one value per lossd_loss.options entry, in that order */
    int32_t reduction;            /* LOSSD_REDUCTION_NONE, _MEAN or _SUM */
    uint32_t rank;                /* number of dimensions, 0 for a scalar */
    const int64_t *shape;         /* rank extents, outermost first (NULL when rank is 0) */
    int64_t count;                /* elements of input and of target (product of shape, >= 1) */
    const double *input;          /* count values, row-major: the predictions (what is fitted) */
    const double *target;         /* count values, row-major */
    double *output;               /* 1 value, or count values for LOSSD_REDUCTION_NONE */
    double *grad_input;           /* count values, or NULL: d sum(output) / d input */
    double *grad_target;          /* count values, or NULL: d sum(output) / d target */
    char *error;                  /* on failure, a NUL-terminated message goes here ... */
    size_t error_size;            /* ... of at most error_size bytes including the NUL */
} lossd_call;

/* Computes a loss and its gradients in one call.
 * Writes every element of output and of each non-NULL gradient buffer; returns LOSSD_OK, or
 * LOSSD_ERROR with a message in call->error (the job then fails with that message).
 * Gradients are of sum(output): for MEAN they include the 1/count factor.
 * Writing NaN or infinity for finite inputs is a plugin bug: lossd fails the job. */
typedef int (*lossd_compute_fn)(const lossd_call *call);

/* Checks option values (ranges, combinations) before a job is accepted; may be NULL.
 * options holds one value per lossd_loss.options entry. Returns LOSSD_OK, or LOSSD_ERROR with a
 * NUL-terminated message of at most error_size bytes in error. */
typedef int (*lossd_check_options_fn)(const void *context, const lossd_value *options,
                                      char *error, size_t error_size);

/* One loss. */
typedef struct lossd_loss {
    const char *name;              /* registry name: [a-z][a-z0-9_]*, at most 64 bytes */
    const char *description;       /* one line for `lossd losses`; may be NULL */
    uint32_t flags;                /* LOSSD_LOSS_* bits */
    int32_t default_reduction;     /* the default of the `reduction` option */
    size_t option_count;           /* entries in options (0 allowed, options may then be NULL) */
    const lossd_option *options;
    lossd_compute_fn compute;      /* required */
    lossd_check_options_fn check_options; /* optional */
    const void *context;           /* passed back to compute and check_options; may be NULL */
} lossd_loss;

/* The plugin, as returned by lossd_plugin_entry(). */
typedef struct lossd_plugin {
    uint32_t abi_version;     /* LOSSD_PLUGIN_ABI_VERSION; first field in every version */
    const char *name;         /* the plugin's name, non-empty */
    const char *version;      /* the plugin's version, non-empty (shown as the loss's origin) */
    size_t loss_count;        /* at least 1 */
    const lossd_loss *losses;
} lossd_plugin;

/* The entry point every plugin exports. */
typedef const lossd_plugin *(*lossd_plugin_entry_fn)(void);

/* Writes a printf-style message into call->error and returns LOSSD_ERROR:
 *     if (beta <= 0) return lossd_fail(call, "beta must be > 0, got %g", beta); */
static inline int lossd_fail(const lossd_call *call, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline int lossd_fail(const lossd_call *call, const char *format, ...) {
    if (call->error != NULL && call->error_size > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(call->error, call->error_size, format, arguments);
        va_end(arguments);
    }
    return LOSSD_ERROR;
}

#ifdef __cplusplus
}
#endif

#endif /* LOSSD_PLUGIN_H */
