// SPDX-License-Identifier: Apache-2.0
// Matrix kernels for lossd's Linear layer in wider vectors than a baseline build has, chosen at
// run time. See Sources/LossdModel/LinearKernels.swift for the contract they share with the
// portable Swift loops: every output element is one accumulator, added to in ascending index
// order, a multiply then an add (never fused), so both give the same bits.
#ifndef LOSSD_KERNELS_H
#define LOSSD_KERNELS_H

#include <stddef.h>

/// 1 when this CPU runs lossd_multiply_avx2 (x86-64 with AVX2), else 0.
int lossd_kernels_have_avx2(void);

/// C[r, c] = start[c] + sum over p ascending of A(r, p) * B[p, c] (start NULL means 0), where
/// A(r, p) = a[r * a_row_stride + p * a_inner_stride], B is inner x columns and C rows x columns,
/// both row-major. Call only when lossd_kernels_have_avx2() is 1.
void lossd_multiply_avx2(ptrdiff_t rows, ptrdiff_t inner, ptrdiff_t columns,
                         const double *a, ptrdiff_t a_row_stride, ptrdiff_t a_inner_stride,
                         const double *b, const double *start, double *c);

#endif
