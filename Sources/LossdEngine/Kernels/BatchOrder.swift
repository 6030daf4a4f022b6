// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Which rows a model job's step trains on: epochs of batches over the training rows, in file
/// order or in a permutation per epoch that depends on (seed, epoch) only, so that a job resumed
/// from its step alone continues with the same batches.
///
/// Step k (0-based: steps taken before it) is batch `k mod batchesPerEpoch` of epoch
/// `k / batchesPerEpoch`; batch b holds positions b*B ..< min((b+1)*B, N) of the epoch's order
/// (a short last batch unless `drop_last`, which leaves floor(N/B) full batches).
///
/// The permutation of epoch e (0 for the first), with ``SeededGenerator`` (xoshiro256**
/// seeded through SplitMix64):
///
///     generator = SeededGenerator(seed: seed ^ (0xD1B54A32D192ED03 &* (e + 1)))
///     order = [0, 1, ..., N-1]
///     for i in N-1 down to 1:
///         j = high 64 bits of next() * (i + 1)        (0 <= j <= i)
///         swap order[i], order[j]
///
/// torch's `DataLoader(shuffle=True)` draws from torch's generator, which lossd does not
/// reproduce: shuffled runs match PyTorch only when PyTorch is fed this order.
struct BatchOrder: Sendable, Hashable {
    let rows: Int
    let batchSize: Int
    let batchesPerEpoch: Int
    /// The rows of the last batch of an epoch (== batchSize unless it is short).
    let lastBatchRows: Int
    /// The shuffle seed; nil keeps file order.
    let seed: UInt64?

    /// The geometry, or nil when `dropLast` leaves no batch (fewer rows than one batch).
    init?(rows: Int, batchSize: Int, dropLast: Bool, seed: UInt64?) {
        let batches = dropLast ? rows / batchSize : (rows + batchSize - 1) / batchSize
        guard rows > 0, batchSize > 0, batches > 0 else { return nil }
        self.rows = rows
        self.batchSize = batchSize
        batchesPerEpoch = batches
        lastBatchRows = dropLast ? batchSize : rows - (batches - 1) * batchSize
        self.seed = seed
    }

    /// The rows of batch `batch` (0-based within its epoch).
    func rows(ofBatch batch: Int) -> Int {
        batch == batchesPerEpoch - 1 ? lastBatchRows : batchSize
    }

    /// Writes epoch `epoch`'s order into `order` (N elements), as documented above.
    func fill(_ order: inout [Int], epoch: Int) {
        for index in order.indices { order[index] = index }
        guard let seed else { return }
        var generator = SeededGenerator(seed: seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(epoch + 1)))
        var i = order.count - 1
        while i > 0 {
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
            i -= 1
        }
    }

    /// A one-line description for checkpoints: a checkpoint restores only into the same batches.
    var summary: String {
        "\(rows) rows in batches of \(batchSize) (\(batchesPerEpoch) per epoch, the last of \(lastBatchRows))"
            + (seed.map { ", shuffled with seed \($0)" } ?? ", in file order")
    }
}
