// SPDX-License-Identifier: Apache-2.0
// Vector operations that Swift's SIMD types do not compile to one instruction: Swift's
// squareRoot() of a SIMD2<Double> calls the C library's sqrt once per lane (for errno), which
// keeps the optimizers' element updates from running two lanes at a time.
#ifndef LOSSD_LANES_H
#define LOSSD_LANES_H

/// Two doubles in vector lanes; Swift sees SIMD2<Double>.
typedef double lossd_double2 __attribute__((ext_vector_type(2)));

/// The square root of each lane, correctly rounded as IEEE 754 requires (so each lane has the
/// bits of the scalar square root), in one vector instruction and without errno.
static inline lossd_double2 lossd_sqrt2(lossd_double2 x) {
    return __builtin_elementwise_sqrt(x);
}

#endif
