// SPDX-License-Identifier: Apache-2.0
// The hand-written C reference for lossd's engine benchmarks: MSE + plain SGD, value and
// gradient fused with the update, in place, one pass over memory per step (read x, read y,
// write x: 24 bytes per element).
//
//   cc -O2 -o fused_sgd fused_sgd.c && ./fused_sgd N STEPS [REPEATS]
//
// N = 3 is the seed job ([10,10,10] -> [30,20,50]); N = 10000000 the wide job. Runs STEPS steps
// REPEATS times (default 1) and prints the best repeat's ns per step, elements per second and the
// final loss (so the work cannot be optimised away). compare.sh builds and runs it.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// One step: loss = (1/n) sum (x - y)^2 ; grad = (2/n)(x - y) ; x -= lr * grad.
static double run(double *x, const double *y, long n, double lr, long steps) {
    double loss = 0, scale = 2.0 / (double)n;
    for (long s = 0; s < steps; s++) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double d = x[i] - y[i];
            sum += d * d;
            x[i] -= lr * (scale * d);
        }
        loss = sum / (double)n;
    }
    return loss;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 3;
    long steps = argc > 2 ? atol(argv[2]) : 100000000;
    long repeats = argc > 3 ? atol(argv[3]) : 1;
    if (n < 1 || steps < 1 || repeats < 1) {
        fprintf(stderr, "usage: fused_sgd N STEPS [REPEATS], each >= 1\n");
        return 64;
    }
    double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
    if (!x || !y) {
        fprintf(stderr, "fused_sgd: out of memory\n");
        return 1;
    }
    const double seed[3] = {30, 20, 50};
    for (long i = 0; i < n; i++) { x[i] = 10; y[i] = seed[i % 3]; }
    // A small lr keeps the seed job from converging to exact zeros within the run.
    double lr = n == 3 ? 1e-9 : 1e-3;
    double best = 0, loss = 0;
    for (long r = 0; r < repeats; r++) {
        double start = now();
        loss = run(x, y, n, lr, steps);
        double elapsed = now() - start;
        if (r == 0 || elapsed < best) best = elapsed;
    }
    printf("n=%ld steps=%ld ns_per_step=%.3f elements_per_s=%.4g loss=%.17g\n",
           n, steps, best * 1e9 / steps, (double)n * steps / best, loss);
    free(x);
    free(y);
    return 0;
}
