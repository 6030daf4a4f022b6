// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// The generator behind random initialisation: xoshiro256** seeded through SplitMix64.
///
///     state   = 4 successive SplitMix64 outputs from `seed`
///     next()  = rotl(s1 * 5, 7) * 9, then the xoshiro256 state transition
///     u       = Double(next() >> 11) * 2^-53                        in [0, 1)
///     uniform = low + (high - low) * u
///     normal  = pairs: u1 = (Double(next() >> 11) + 1) * 2^-53 in (0, 1], u2 = u,
///               r = sqrt(-2 log u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2);
///               element 2j is mean + std * z0, element 2j+1 is mean + std * z1
///               (an odd count drops the last z1)
///
/// The same seed gives the same values on every run and thread count (log, cos and sin come
/// from the platform's C library). It does not reproduce torch's generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    /// The four state words, for checkpoints.
    public private(set) var state: [UInt64]

    /// Seeds the state from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var seeding = SplitMix64(seed: seed)
        state = (0..<4).map { _ in seeding.next() }
    }

    /// Restores a saved state (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], 45)
        return result
    }

    /// A double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `count` values from `distribution`, as documented above.
    public mutating func values(_ count: Int, from distribution: RandomDistribution) -> [Double] {
        switch distribution {
        case .uniform(let low, let high):
            return (0..<count).map { _ in low + (high - low) * nextUnit() }
        case .normal(let mean, let std):
            var values: [Double] = []
            values.reserveCapacity(count + 1)
            while values.count < count {
                let u1 = (Double(next() >> 11) + 1) * 0x1p-53
                let u2 = nextUnit()
                let r = (-2 * log(u1)).squareRoot()
                let theta = 2 * Double.pi * u2
                values.append(mean + std * (r * cos(theta)))
                values.append(mean + std * (r * sin(theta)))
            }
            return Array(values.prefix(count))
        }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
