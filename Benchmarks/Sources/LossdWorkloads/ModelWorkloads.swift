// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossdData
import LossdEngine

/// The model-job measurements (see ``ModelJobs``).
extension Workloads {
    /// One epoch's time and its mean batch loss (the check against the C and PyTorch runs).
    public struct EpochFigure: Sendable {
        public var seconds: Double
        public var loss: Double
    }

    /// One epoch of `model` on `data` submitted to an engine with one worker, timed from
    /// submission to result (building the job, its batches, progress publication and time slices
    /// included).
    public static func modelEpoch(_ model: ModelJobs.Model, data: Dataset, shuffle: Bool) async -> EpochFigure {
        let spec = ModelJobs.spec(model, data: data, epochs: 1, shuffle: shuffle)
        let engine = TrainingEngine(EngineConfiguration(workers: 1))
        defer { engine.shutdown() }
        let start = Clock.now()
        let result = await engine.submit(spec).result()
        let seconds = Clock.now() - start
        precondition(result.progress.step == ModelJobs.batches && result.epochs.count == 1,
                     "the \(model) job ended \(result.status) after \(result.progress.step) steps")
        return EpochFigure(seconds: seconds, loss: result.epochs[0].trainLoss)
    }

    /// What one and two jobs training on one file cost in resident memory.
    public struct DataSharingFigure: Sendable {
        /// The file's numbers as float64: rows x (features + targets) x 8 bytes.
        public var datasetBytes: Int
        /// Resident bytes added by loading the file once.
        public var loadedBytes: Int
        /// Resident bytes added by loading it and running one job on it.
        public var oneJobBytes: Int
        /// Resident bytes added by loading it twice and running two jobs, one on each load.
        public var twoJobsBytes: Int
        /// Whether the two loads returned the same arrays.
        public var shared: Bool
    }

    /// Writes the benchmark data as `x.npy` and `y.npy` in a temporary folder, loads it through
    /// one ``DatasetLoader`` as two jobs of a configuration would, and runs MLP jobs (shuffled,
    /// as by default) on an engine with two workers: the resident memory added with the data
    /// loaded, with one job training on it and with two (the second on a second load of the file).
    public static func modelDataSharing() throws -> DataSharingFigure {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-perf-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let featuresPath = folder.appendingPathComponent("x.npy").path
        let targetsPath = folder.appendingPathComponent("y.npy").path
        do {
            let (x, y) = ModelJobs.data()
            try NumPyFile.write(x, shape: [ModelJobs.rows, ModelJobs.features], to: featuresPath)
            try NumPyFile.write(y, shape: [ModelJobs.rows], to: targetsPath)
        }
        let source = DataSource.npy(features: featuresPath, target: targetsPath)
        let before = ResidentMemory.bytes()
        let loader = DatasetLoader()
        let first = try loader.load(source)
        let loaded = ResidentMemory.bytes() - before

        let engine = TrainingEngine(EngineConfiguration(workers: 2))
        defer { engine.shutdown() }
        /// Submits a long job and returns once it has taken a few hundred steps.
        func running(_ data: Dataset, id: String) -> JobHandle {
            let handle = engine.submit(ModelJobs.spec(.mlp, data: data, epochs: 1_000, shuffle: true), id: id)
            while handle.progress.step < 2 * ModelJobs.batches && !handle.status.isFinal { usleep(10_000) }
            precondition(!handle.status.isFinal, "job \(id) ended \(handle.status)")
            return handle
        }
        let one = running(first, id: "first")
        let oneJob = ResidentMemory.bytes() - before
        let second = try loader.load(source)
        let two = running(second, id: "second")
        let twoJobs = ResidentMemory.bytes() - before
        one.cancel()
        two.cancel()
        let shared = first.features.withUnsafeBufferPointer { a in
            second.features.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
        }
        return DataSharingFigure(datasetBytes: ModelJobs.rows * (ModelJobs.features + 1) * 8, loadedBytes: loaded,
                                 oneJobBytes: oneJob, twoJobsBytes: twoJobs, shared: shared)
    }
}

/// Writes NumPy `.npy` files (version 1.0, little-endian float64, C order).
enum NumPyFile {
    static func write(_ values: [Double], shape: [Int], to path: String) throws {
        let dimensions = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(dimensions), }"
        // The magic (6), version (2) and length (2) and the header, padded with spaces to a
        // multiple of 64 and ended by a newline.
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
