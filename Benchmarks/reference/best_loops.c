// SPDX-License-Identifier: Apache-2.0
// The strongest hand-written C references for lossd's wide-job benchmarks, and the machine's
// memory bandwidth measured the same way, in one program:
//
//   cc -O3 -march=native -fno-math-errno -pthread -o best_loops best_loops.c -lm
//   ./best_loops sgd   N STEPS REPEATS THREADS   # MSE + SGD, value, gradient and update fused
//   ./best_loops adam  N STEPS REPEATS           # MSE + Adam (torch's single-tensor update)
//   ./best_loops triad N REPEATS THREADS         # STREAM-style triad in place: a = a + s * c
//
// Each prints one line of name=value pairs with the best repeat (ns per step, elements per second,
// bytes per second) and the final loss, so the work cannot be optimised away.
//
// Summation order (sgd and adam): element i is added to accumulator lane i % 16 (16 independent
// lanes, which -O3 -march=native keeps in four 256-bit registers, so the adds of one lane never
// wait on another's); the lanes are then added pairwise (lane 2k + 1 into 2k, then 4k + 2 into
// 4k, ...), and with THREADS > 1 each thread's sum, for a contiguous part of the elements, is
// added in part order (a part of fewer than 64 elements, such as the seed job's 3, takes one
// accumulator). One step reads x and y and writes x: 24 bytes per element (sgd); Adam also reads
// and writes its two moments: 56 bytes per element. The triad runs in place (a = a + 3c: read a,
// read c, write a), the same 24 bytes per element as the sgd loop, so its bytes per second is
// the bound for that loop: bandwidth / 24 element steps per second.
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LANES = 16 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double lanes_sum(double *acc) {
    for (int width = 1; width < LANES; width *= 2)
        for (int k = 0; k + width < LANES; k += 2 * width) acc[k] += acc[k + width];
    return acc[0];
}

// One MSE + SGD step over [begin, end): returns sum (x - y)^2; x -= lr * (2/n) (x - y).
// A part shorter than 4 x 16 elements (the seed job's 3) takes one accumulator: there the lanes'
// setup and final adds would cost more than the adds they overlap.
static double sgd_part(double *restrict x, const double *restrict y, long begin, long end, double scale) {
    if (end - begin < 4 * LANES) {
        double sum = 0;
        for (long i = begin; i < end; i++) {
            double d = x[i] - y[i];
            sum += d * d;
            x[i] -= scale * d;
        }
        return sum;
    }
    double acc[LANES] = {0};
    long i = begin;
    for (; i + LANES <= end; i += LANES) {
        for (int j = 0; j < LANES; j++) {
            double d = x[i + j] - y[i + j];
            acc[j] += d * d;
            x[i + j] -= scale * d;
        }
    }
    for (int j = 0; i < end; i++, j++) {
        double d = x[i] - y[i];
        acc[j] += d * d;
        x[i] -= scale * d;
    }
    return lanes_sum(acc);
}

struct sgd_shared {
    double *x;
    const double *y;
    long n, steps;
    int threads;
    double scale;
    double *partial;
    pthread_barrier_t barrier;
};

struct sgd_worker {
    struct sgd_shared *shared;
    int index;
};

static void *sgd_thread(void *argument) {
    struct sgd_worker *w = argument;
    struct sgd_shared *s = w->shared;
    long begin = s->n * w->index / s->threads, end = s->n * (w->index + 1) / s->threads;
    for (long step = 0; step < s->steps; step++) {
        s->partial[w->index] = sgd_part(s->x, s->y, begin, end, s->scale);
        pthread_barrier_wait(&s->barrier);  // a step ends when every part is updated
    }
    return NULL;
}

static int run_sgd(long n, long steps, long repeats, int threads) {
    double *x = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *y = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *partial = calloc(threads, sizeof(double));
    if (!x || !y || !partial) { fprintf(stderr, "best_loops: out of memory\n"); return 1; }
    const double seed[3] = {30, 20, 50};
    for (long i = 0; i < n; i++) { x[i] = 10; y[i] = seed[i % 3]; }
    double lr = n == 3 ? 1e-9 : 1e-3, best = 0, loss = 0;
    for (long r = 0; r < repeats; r++) {
        struct sgd_shared shared = {.x = x, .y = y, .n = n, .steps = steps, .threads = threads,
                                   .scale = lr * 2.0 / (double)n, .partial = partial};
        pthread_barrier_init(&shared.barrier, NULL, threads);
        struct sgd_worker workers[64];
        pthread_t ids[64];
        double start = now();
        if (threads == 1) {  // no barrier: the loop alone
            for (long step = 0; step < steps; step++) partial[0] = sgd_part(x, y, 0, n, shared.scale);
        }
        for (int t = 1; t < threads; t++) {
            workers[t] = (struct sgd_worker){&shared, t};
            pthread_create(&ids[t], NULL, sgd_thread, &workers[t]);
        }
        workers[0] = (struct sgd_worker){&shared, 0};
        if (threads > 1) sgd_thread(&workers[0]);
        for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
        double elapsed = now() - start;
        pthread_barrier_destroy(&shared.barrier);
        double sum = 0;
        for (int t = 0; t < threads; t++) sum += partial[t];
        loss = sum / (double)n;
        if (r == 0 || elapsed < best) best = elapsed;
    }
    printf("name=sgd n=%ld threads=%d steps=%ld ns_per_step=%.3f elements_per_s=%.4g bytes_per_s=%.4g loss=%.17g\n",
           n, threads, steps, best * 1e9 / steps, (double)n * steps / best, 24.0 * n * steps / best, loss);
    free(x); free(y); free(partial);
    return 0;
}

// One MSE + Adam step (betas 0.9, 0.999, eps 1e-8, no weight decay) in torch's
// _single_tensor_adam order: m = lerp(m, g, 1 - b1); v = v * b2 + (1 - b2) * g * g;
// x -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps). Returns sum (x - y)^2.
static double adam_part(double *restrict x, const double *restrict y, double *restrict m, double *restrict v,
                        long n, double scale, double size, double bc2) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double acc[LANES] = {0};
    long i = 0;
    for (; i + LANES <= n; i += LANES) {
        for (int j = 0; j < LANES; j++) {
            double d = x[i + j] - y[i + j], g = scale * d;
            acc[j] += d * d;
            double mm = m[i + j] + (1 - b1) * (g - m[i + j]);
            double vv = v[i + j] * b2 + (1 - b2) * g * g;
            m[i + j] = mm;
            v[i + j] = vv;
            x[i + j] -= size * mm / (sqrt(vv) / bc2 + eps);
        }
    }
    for (int j = 0; i < n; i++, j++) {
        double d = x[i] - y[i], g = scale * d;
        acc[j] += d * d;
        m[i] += (1 - b1) * (g - m[i]);
        v[i] = v[i] * b2 + (1 - b2) * g * g;
        x[i] -= size * m[i] / (sqrt(v[i]) / bc2 + eps);
    }
    return lanes_sum(acc);
}

static int run_adam(long n, long steps, long repeats) {
    double *x = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *y = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *m = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *v = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    if (!x || !y || !m || !v) { fprintf(stderr, "best_loops: out of memory\n"); return 1; }
    const double seed[3] = {30, 20, 50}, lr = 1e-3;
    double best = 0, loss = 0;
    for (long r = 0; r < repeats; r++) {
        for (long i = 0; i < n; i++) { x[i] = 10; y[i] = seed[i % 3]; m[i] = 0; v[i] = 0; }
        double start = now();
        for (long step = 1; step <= steps; step++) {
            double bc1 = 1 - pow(0.9, (double)step), bc2 = sqrt(1 - pow(0.999, (double)step));
            loss = adam_part(x, y, m, v, n, 2.0 / (double)n, lr / bc1, bc2) / (double)n;
        }
        double elapsed = now() - start;
        if (r == 0 || elapsed < best) best = elapsed;
    }
    printf("name=adam n=%ld steps=%ld ns_per_step=%.3f elements_per_s=%.4g bytes_per_s=%.4g loss=%.17g\n",
           n, steps, best * 1e9 / steps, (double)n * steps / best, 56.0 * n * steps / best, loss);
    free(x); free(y); free(m); free(v);
    return 0;
}

struct triad_worker {
    double *a;
    const double *b, *c;
    long begin, end;
};

static void *triad_thread(void *argument) {
    struct triad_worker *w = argument;
    // In place, as the sgd loop writes x where it read it: 24 bytes per element, no
    // write-allocate read (a triad into a third array moves 32 bytes and understates the bound).
    double *restrict a = w->a;
    const double *restrict c = w->c;
    for (long i = w->begin; i < w->end; i++) a[i] = a[i] + 3.0 * c[i];
    return NULL;
}

static int run_triad(long n, long repeats, int threads) {
    double *a = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *b = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    double *c = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    if (!a || !b || !c) { fprintf(stderr, "best_loops: out of memory\n"); return 1; }
    for (long i = 0; i < n; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }
    double best = 0;
    for (long r = 0; r < repeats; r++) {
        struct triad_worker workers[64];
        pthread_t ids[64];
        for (int t = 0; t < threads; t++) workers[t] = (struct triad_worker){a, b, c, n * t / threads, n * (t + 1) / threads};
        double start = now();
        for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, triad_thread, &workers[t]);
        triad_thread(&workers[0]);
        for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
        double elapsed = now() - start;
        if (r == 0 || elapsed < best) best = elapsed;
    }
    double check = 0;
    for (long i = 0; i < n; i += 4096) check += a[i];
    printf("name=triad n=%ld threads=%d bytes_per_s=%.4g check=%.17g\n", n, threads, 24.0 * n / best, check);
    free(a); free(b); free(c);
    return 0;
}

int main(int argc, char **argv) {
    const char *usage = "usage: best_loops sgd N STEPS REPEATS THREADS | adam N STEPS REPEATS | triad N REPEATS THREADS\n";
    if (argc < 2) { fputs(usage, stderr); return 64; }
    long a1 = argc > 2 ? atol(argv[2]) : 0, a2 = argc > 3 ? atol(argv[3]) : 0, a3 = argc > 4 ? atol(argv[4]) : 0;
    long a4 = argc > 5 ? atol(argv[5]) : 0;
    if (strcmp(argv[1], "sgd") == 0 && argc == 6 && a1 > 0 && a2 > 0 && a3 > 0 && a4 > 0 && a4 <= 64) return run_sgd(a1, a2, a3, (int)a4);
    if (strcmp(argv[1], "adam") == 0 && argc == 5 && a1 > 0 && a2 > 0 && a3 > 0) return run_adam(a1, a2, a3);
    if (strcmp(argv[1], "triad") == 0 && argc == 5 && a1 > 0 && a2 > 0 && a3 > 0 && a3 <= 64) return run_triad(a1, a2, (int)a3);
    fputs(usage, stderr);
    return 64;
}
