// SPDX-License-Identifier: Apache-2.0
// The hand-written C reference for lossd's model-job benchmarks: one epoch of mini-batch
// training (batch 256, MSE, plain SGD, float64) of a linear model 32->1 or an MLP 32-64-64-1
// with relu, written as plain BLAS-style loops: forward Y = X W^T + b as dot products (vector
// accumulators, which the compiler does not make for a reduction by itself), backward
// dW = dY^T X and dX = dY W as i-k-j loops whose inner loop is a vectorisable axpy.
//
//   cc -O3 -march=native -o model_epoch model_epoch.c -lm
//   ./model_epoch linear|mlp [REPEATS [shuffle]]
//
// The data and the initial parameters come from the formulas shared with lossd-perf and
// compare_torch.py (see data() and init() below), so the three print the same first-epoch loss:
// a check that they do the same work. Each repeat trains one epoch from the same initial
// parameters; prints the best repeat's ms per epoch and the first epoch's mean batch loss.
// compare.sh builds and runs it.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROWS = 100000, FEATURES = 32, BATCH = 256, MAX_LAYERS = 3 };
static const double LEARNING_RATE = 0.01;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// The shared data formula: x[i][j] = ((7919 i + 104729 j) mod 1009) / 504.5 - 1, and
// y[i] = 0.5 + sum_j c_j x[i][j] with c_j = ((37 j) mod 11) / 5 - 1.
static void data(double *x, double *y) {
    for (long i = 0; i < ROWS; i++) {
        double sum = 0.5;
        for (long j = 0; j < FEATURES; j++) {
            double value = (double)((i * 7919 + j * 104729) % 1009) / 504.5 - 1.0;
            x[i * FEATURES + j] = value;
            sum += ((double)((j * 37) % 11) / 5.0 - 1.0) * value;
        }
        y[i] = sum;
    }
}

// The shared init formula, PyTorch's bound 1/sqrt(in): weight[o][i] = bound * (((7919 (o in + i))
// mod 1009) / 504.5 - 1), bias[o] = bound * (((7919 o + 500) mod 1009) / 504.5 - 1).
static void init(double *weight, double *bias, long in, long out) {
    double bound = 1.0 / sqrt((double)in);
    for (long k = 0; k < out * in; k++) weight[k] = bound * ((double)((k * 7919) % 1009) / 504.5 - 1.0);
    for (long o = 0; o < out; o++) bias[o] = bound * ((double)((o * 7919 + 500) % 1009) / 504.5 - 1.0);
}

typedef struct {
    long in, out;
    double *weight, *bias, *weightGradient, *biasGradient;
    double *output;          // BATCH x out: the pre-activation Z
    double *activation;      // BATCH x out: relu(Z) (hidden layers), else NULL
    double *gradient;        // BATCH x out: dLoss/dZ
} Linear;

// sum_i a[i] b[i] with 8 accumulators, so that the compiler makes vector FMAs of the reduction.
static inline double dot(const double *restrict a, const double *restrict b, long n) {
    double acc[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[i + l] * b[i + l];
    double sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

// Z = X W^T + b over `rows` rows of X (rows x in).
static void forward(Linear *layer, const double *restrict x, long rows) {
    long in = layer->in, out = layer->out;
    for (long r = 0; r < rows; r++) {
        const double *row = x + r * in;
        double *z = layer->output + r * out;
        for (long o = 0; o < out; o++) z[o] = layer->bias[o] + dot(row, layer->weight + o * in, in);
        if (layer->activation) {
            double *h = layer->activation + r * out;
            for (long o = 0; o < out; o++) h[o] = z[o] > 0 ? z[o] : 0;
        }
    }
}

// From dZ (layer->gradient): dW = dZ^T X, db = sum of dZ's rows, and (if inputGradient) dX = dZ W.
static void backward(Linear *layer, const double *restrict x, long rows, double *restrict inputGradient) {
    long in = layer->in, out = layer->out;
    memset(layer->weightGradient, 0, sizeof(double) * in * out);
    memset(layer->biasGradient, 0, sizeof(double) * out);
    if (inputGradient) memset(inputGradient, 0, sizeof(double) * rows * in);
    for (long r = 0; r < rows; r++) {
        const double *row = x + r * in;
        const double *dz = layer->gradient + r * out;
        for (long o = 0; o < out; o++) {
            double g = dz[o];
            double *restrict dw = layer->weightGradient + o * in;
            for (long i = 0; i < in; i++) dw[i] += g * row[i];
            layer->biasGradient[o] += g;
            if (inputGradient) {
                const double *restrict w = layer->weight + o * in;
                double *restrict dx = inputGradient + r * in;
                for (long i = 0; i < in; i++) dx[i] += g * w[i];
            }
        }
    }
}

static void step(Linear *layer) {
    long n = layer->in * layer->out;
    for (long k = 0; k < n; k++) layer->weight[k] -= LEARNING_RATE * layer->weightGradient[k];
    for (long o = 0; o < layer->out; o++) layer->bias[o] -= LEARNING_RATE * layer->biasGradient[o];
}

// One epoch; returns the mean of the batch losses. `order` is NULL (file order) or a permutation
// of the rows, gathered into `gathered` batch by batch.
static double epoch(Linear *layers, int count, const double *x, const double *y, const long *order,
                    double *gathered, double *gatheredTargets, double *hiddenGradient) {
    double total = 0;
    long batches = 0;
    for (long start = 0; start < ROWS; start += BATCH) {
        long rows = ROWS - start < BATCH ? ROWS - start : BATCH;
        const double *xb = x + start * FEATURES, *yb = y + start;
        if (order) {
            for (long r = 0; r < rows; r++) {
                memcpy(gathered + r * FEATURES, x + order[start + r] * FEATURES, sizeof(double) * FEATURES);
                gatheredTargets[r] = y[order[start + r]];
            }
            xb = gathered;
            yb = gatheredTargets;
        }
        const double *input = xb;
        for (int l = 0; l < count; l++) {
            forward(&layers[l], input, rows);
            input = layers[l].activation;
        }
        // MSE (mean over rows x 1 outputs) and its gradient 2 (z - y) / rows.
        Linear *last = &layers[count - 1];
        double sum = 0, scale = 2.0 / (double)rows;
        for (long r = 0; r < rows; r++) {
            double d = last->output[r] - yb[r];
            sum += d * d;
            last->gradient[r] = scale * d;
        }
        total += sum / (double)rows;
        batches++;
        for (int l = count - 1; l >= 0; l--) {
            const double *layerInput = l == 0 ? xb : layers[l - 1].activation;
            backward(&layers[l], layerInput, rows, l == 0 ? NULL : hiddenGradient);
            if (l > 0) {  // through relu: dZ = dH * (Z > 0)
                Linear *below = &layers[l - 1];
                long n = rows * below->out;
                for (long k = 0; k < n; k++) below->gradient[k] = below->output[k] > 0 ? hiddenGradient[k] : 0;
            }
        }
        for (int l = 0; l < count; l++) step(&layers[l]);
    }
    return total / (double)batches;
}

static double *array(long n) {
    double *p = aligned_alloc(64, sizeof(double) * ((n + 7) / 8 * 8));
    if (!p) {
        fprintf(stderr, "model_epoch: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv) {
    int mlp = argc > 1 && strcmp(argv[1], "mlp") == 0;
    if (argc < 2 || (!mlp && strcmp(argv[1], "linear") != 0)) {
        fprintf(stderr, "usage: model_epoch linear|mlp [REPEATS [shuffle]]\n");
        return 64;
    }
    long repeats = argc > 2 ? atol(argv[2]) : 5;
    int shuffle = argc > 3 && strcmp(argv[3], "shuffle") == 0;
    if (repeats < 1) repeats = 1;
    long widths[MAX_LAYERS + 1] = {FEATURES, 1};
    int count = 1;
    if (mlp) {
        widths[1] = 64; widths[2] = 64; widths[3] = 1;
        count = 3;
    }
    double *x = array(ROWS * FEATURES), *y = array(ROWS);
    data(x, y);
    Linear layers[MAX_LAYERS];
    for (int l = 0; l < count; l++) {
        long in = widths[l], out = widths[l + 1];
        layers[l] = (Linear){in, out, array(in * out), array(out), array(in * out), array(out),
                             array(BATCH * out), l + 1 < count ? array(BATCH * out) : NULL, array(BATCH * out)};
    }
    double *hiddenGradient = array(BATCH * 64), *gathered = array(BATCH * FEATURES), *gatheredTargets = array(BATCH);
    long *order = NULL;
    if (shuffle) {  // a Fisher-Yates permutation from a fixed xorshift generator, made once per repeat
        order = malloc(sizeof(long) * ROWS);
        if (!order) return 1;
    }
    unsigned long long state = 88172645463325252ULL;
    double best = 0, firstLoss = 0;
    for (long repeat = 0; repeat < repeats; repeat++) {
        for (int l = 0; l < count; l++) init(layers[l].weight, layers[l].bias, layers[l].in, layers[l].out);
        double start = now();
        if (order) {
            for (long i = 0; i < ROWS; i++) order[i] = i;
            for (long i = ROWS - 1; i > 0; i--) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                long j = (long)(state % (unsigned long long)(i + 1));
                long t = order[i]; order[i] = order[j]; order[j] = t;
            }
        }
        double loss = epoch(layers, count, x, y, order, gathered, gatheredTargets, hiddenGradient);
        double elapsed = now() - start;
        if (repeat == 0) firstLoss = loss;
        if (repeat == 0 || elapsed < best) best = elapsed;
    }
    printf("model=%s shuffle=%d ms_per_epoch=%.4f loss=%.17g\n", mlp ? "mlp" : "linear", shuffle, best * 1e3, firstLoss);
    return 0;
}
