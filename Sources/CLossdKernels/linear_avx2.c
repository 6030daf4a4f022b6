// SPDX-License-Identifier: Apache-2.0
// Linear's product in 256-bit vectors (AVX2), for CPUs that have them, chosen at run time so that
// a default build (baseline x86-64, 128-bit SSE2) still uses them. Written in C because Swift has
// no per-function target attributes: a Swift build for AVX2 would need AVX2 everywhere.
//
// Bit-identical to LinearKernels.swift: each element of C is one accumulator that starts from
// start[c] (or 0) and adds a[r, p] * b[p, c] for p ascending, a multiply and then an add. The
// tiling only decides which elements share a register. Fused multiply-adds are excluded twice:
// the functions are compiled for "avx2" only (no "fma" feature, so no FMA instruction can be
// emitted) and FP_CONTRACT is off. (A version with fused multiply-adds measured no faster here.)
//
// Soundness: the caller (LinearKernels.multiply) passes shapes that Linear has checked against
// the buffers' counts; every access below stays inside rows x inner of A (through its strides),
// inner x columns of B, columns of start and rows x columns of C. Loads and stores are unaligned.
#include "lossd_kernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int lossd_kernels_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

#define AVX2 __attribute__((target("avx2")))

// Four rows r0..r0+3 of C: 12-, 8- and 4-column tiles, then single columns.
AVX2 static void rows4(ptrdiff_t r0, ptrdiff_t inner, ptrdiff_t columns, const double *a,
                       ptrdiff_t rs, ptrdiff_t is, const double *b, const double *start, double *c) {
    const double *a0 = a + r0 * rs, *a1 = a0 + rs, *a2 = a1 + rs, *a3 = a2 + rs;
    double *c0 = c + r0 * columns, *c1 = c0 + columns, *c2 = c1 + columns, *c3 = c2 + columns;
    ptrdiff_t col = 0;
    for (; col + 12 <= columns; col += 12) {
        __m256d i0 = start ? _mm256_loadu_pd(start + col) : _mm256_setzero_pd();
        __m256d i1 = start ? _mm256_loadu_pd(start + col + 4) : _mm256_setzero_pd();
        __m256d i2 = start ? _mm256_loadu_pd(start + col + 8) : _mm256_setzero_pd();
        __m256d s00 = i0, s01 = i1, s02 = i2, s10 = i0, s11 = i1, s12 = i2;
        __m256d s20 = i0, s21 = i1, s22 = i2, s30 = i0, s31 = i1, s32 = i2;
        for (ptrdiff_t p = 0; p < inner; p++) {
            const double *bp = b + p * columns + col;
            __m256d b0 = _mm256_loadu_pd(bp), b1 = _mm256_loadu_pd(bp + 4), b2 = _mm256_loadu_pd(bp + 8);
            ptrdiff_t o = p * is;
            // One row of the tile: its three accumulators add b0..b2 times the row's A element.
#define LOSSD_ROW(acc0, acc1, acc2, arow) do { \
                __m256d x = _mm256_broadcast_sd((arow) + o); \
                acc0 = _mm256_add_pd(acc0, _mm256_mul_pd(b0, x)); \
                acc1 = _mm256_add_pd(acc1, _mm256_mul_pd(b1, x)); \
                acc2 = _mm256_add_pd(acc2, _mm256_mul_pd(b2, x)); \
            } while (0)
            LOSSD_ROW(s00, s01, s02, a0);
            LOSSD_ROW(s10, s11, s12, a1);
            LOSSD_ROW(s20, s21, s22, a2);
            LOSSD_ROW(s30, s31, s32, a3);
#undef LOSSD_ROW
        }
        _mm256_storeu_pd(c0 + col, s00); _mm256_storeu_pd(c0 + col + 4, s01); _mm256_storeu_pd(c0 + col + 8, s02);
        _mm256_storeu_pd(c1 + col, s10); _mm256_storeu_pd(c1 + col + 4, s11); _mm256_storeu_pd(c1 + col + 8, s12);
        _mm256_storeu_pd(c2 + col, s20); _mm256_storeu_pd(c2 + col + 4, s21); _mm256_storeu_pd(c2 + col + 8, s22);
        _mm256_storeu_pd(c3 + col, s30); _mm256_storeu_pd(c3 + col + 4, s31); _mm256_storeu_pd(c3 + col + 8, s32);
    }
    for (; col + 4 <= columns; col += 4) {
        __m256d i0 = start ? _mm256_loadu_pd(start + col) : _mm256_setzero_pd();
        __m256d s0 = i0, s1 = i0, s2 = i0, s3 = i0;
        for (ptrdiff_t p = 0; p < inner; p++) {
            __m256d bv = _mm256_loadu_pd(b + p * columns + col);
            ptrdiff_t o = p * is;
            s0 = _mm256_add_pd(s0, _mm256_mul_pd(bv, _mm256_broadcast_sd(a0 + o)));
            s1 = _mm256_add_pd(s1, _mm256_mul_pd(bv, _mm256_broadcast_sd(a1 + o)));
            s2 = _mm256_add_pd(s2, _mm256_mul_pd(bv, _mm256_broadcast_sd(a2 + o)));
            s3 = _mm256_add_pd(s3, _mm256_mul_pd(bv, _mm256_broadcast_sd(a3 + o)));
        }
        _mm256_storeu_pd(c0 + col, s0); _mm256_storeu_pd(c1 + col, s1);
        _mm256_storeu_pd(c2 + col, s2); _mm256_storeu_pd(c3 + col, s3);
    }
    for (; col < columns; col++) {
        double i0 = start ? start[col] : 0.0;
        double s0 = i0, s1 = i0, s2 = i0, s3 = i0;
        for (ptrdiff_t p = 0; p < inner; p++) {
            double bv = b[p * columns + col];
            ptrdiff_t o = p * is;
            double m0 = a0[o] * bv, m1 = a1[o] * bv, m2 = a2[o] * bv, m3 = a3[o] * bv;
            s0 = s0 + m0; s1 = s1 + m1; s2 = s2 + m2; s3 = s3 + m3;
        }
        c0[col] = s0; c1[col] = s1; c2[col] = s2; c3[col] = s3;
    }
}

// One row r of C: 4-column tiles, then single columns.
AVX2 static void row1(ptrdiff_t r, ptrdiff_t inner, ptrdiff_t columns, const double *a,
                      ptrdiff_t rs, ptrdiff_t is, const double *b, const double *start, double *c) {
    const double *a0 = a + r * rs;
    double *c0 = c + r * columns;
    ptrdiff_t col = 0;
    for (; col + 4 <= columns; col += 4) {
        __m256d s0 = start ? _mm256_loadu_pd(start + col) : _mm256_setzero_pd();
        for (ptrdiff_t p = 0; p < inner; p++)
            s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_loadu_pd(b + p * columns + col), _mm256_broadcast_sd(a0 + p * is)));
        _mm256_storeu_pd(c0 + col, s0);
    }
    for (; col < columns; col++) {
        double s0 = start ? start[col] : 0.0;
        for (ptrdiff_t p = 0; p < inner; p++) {
            double m = a0[p * is] * b[p * columns + col];
            s0 = s0 + m;
        }
        c0[col] = s0;
    }
}

AVX2 void lossd_multiply_avx2(ptrdiff_t rows, ptrdiff_t inner, ptrdiff_t columns,
                              const double *a, ptrdiff_t a_row_stride, ptrdiff_t a_inner_stride,
                              const double *b, const double *start, double *c) {
    ptrdiff_t r = 0;
    for (; r + 4 <= rows; r += 4) rows4(r, inner, columns, a, a_row_stride, a_inner_stride, b, start, c);
    for (; r < rows; r++) row1(r, inner, columns, a, a_row_stride, a_inner_stride, b, start, c);
}

#else

int lossd_kernels_have_avx2(void) { return 0; }

void lossd_multiply_avx2(ptrdiff_t rows, ptrdiff_t inner, ptrdiff_t columns,
                         const double *a, ptrdiff_t a_row_stride, ptrdiff_t a_inner_stride,
                         const double *b, const double *start, double *c) {
    (void)rows; (void)inner; (void)columns; (void)a; (void)a_row_stride; (void)a_inner_stride;
    (void)b; (void)start; (void)c;
    __builtin_trap();  // never called: lossd_kernels_have_avx2() is 0 here
}

#endif
