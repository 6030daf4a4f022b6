// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdEngine

/// A stable 64-bit digest of a job's effective configuration (FNV-1a over a canonical
/// serialisation), the same on every run and machine: the daemon compares it across reloads to
/// tell which jobs changed.
///
/// Covered: loss name and complete options, tensors (shape and exact bits, or the random spec),
/// extra inputs, optimizer, scheduler, stopping rules, seed, `enabled`. Not covered: the name,
/// where the job was written, and the sweep that generated it. Options are complete (defaults
/// filled in), so writing a default explicitly does not change the hash.
///
/// A model job's hash also covers its layers (complete options), `model.init` (the tensors
/// read: names, shapes, exact bits), the data (what was read: the source, its columns or
/// generator settings, the split, and a ``DataDigest`` of every value, so an edited file
/// changes the hash and a touched one does not), `batch_size`, `shuffle`, `drop_last` and
/// `epochs`. Free-tensor jobs hash exactly as before model jobs existed. `metrics`, when given,
/// are covered too (they change the result file); a job without them hashes as before.
public struct ConfigHash: Sendable, Hashable, CustomStringConvertible {
    public var value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    static let zero = ConfigHash(value: 0)

    /// Sixteen lowercase hex digits.
    public var description: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest of `job`.
    public init(of job: JobConfiguration) {
        var hasher = FNV1a()
        hasher.write("lossd-job-v1")
        hasher.write(job.enabled)
        hasher.write("loss")
        hasher.write(job.loss.name)
        hasher.write(job.loss.options)
        hasher.write("init")
        hasher.write(job.initial)
        hasher.write("target")
        hasher.write(job.target)
        hasher.write("inputs")
        hasher.write(job.inputs.count)
        for name in job.inputs.keys.sorted() {
            hasher.write(name)
            hasher.write(job.inputs[name]!)
        }
        hasher.write("optimizer")
        hasher.write(job.optimizer)
        hasher.write("scheduler")
        if let scheduler = job.scheduler { hasher.write(scheduler) } else { hasher.write("none") }
        hasher.write("stopping")
        hasher.write(job.stopping.maxSteps)
        hasher.write(job.stopping.tolerance)
        hasher.write(job.stopping.patience.map(Double.init))
        hasher.write(job.stopping.minDelta)
        hasher.write("seed")
        hasher.write(Int(truncatingIfNeeded: job.seed))
        if let model = job.model { hasher.write(model) }
        if !job.metrics.isEmpty {
            hasher.write("metrics")
            hasher.write(job.metrics.count)
            for metric in job.metrics { hasher.write(metric.rawValue) }
        }
        value = hasher.state
    }
}

/// 64-bit FNV-1a; every field is written with a type tag and a length, so that no two different
/// configurations serialise to the same bytes.
private struct FNV1a {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func word(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    mutating func write(_ text: String) {
        byte(0x73)
        word(UInt64(text.utf8.count))
        for unit in text.utf8 { byte(unit) }
    }

    mutating func write(_ integer: Int) {
        byte(0x69)
        word(UInt64(bitPattern: Int64(integer)))
    }

    mutating func write(_ flag: Bool) {
        byte(flag ? 0x74 : 0x66)
    }

    mutating func write(_ number: Double?) {
        guard let number else { return byte(0x6E) }
        byte(0x64)
        word((number == 0 ? 0 : number).bitPattern)
    }

    mutating func write(_ shape: [Int]) {
        byte(0x5B)
        word(UInt64(shape.count))
        for extent in shape { word(UInt64(extent)) }
    }

    mutating func write(_ tensor: Tensor) {
        write(tensor.shape)
        for scalar in tensor.scalars { write(scalar) }
    }

    mutating func write(_ spec: TensorSpec) {
        switch spec {
        case .literal(let tensor):
            byte(0x4C)
            write(tensor)
        case .random(let random):
            byte(0x52)
            write(random.shape)
            switch random.distribution {
            case .normal(let mean, let std):
                write("normal")
                write(mean)
                write(std)
            case .uniform(let low, let high):
                write("uniform")
                write(low)
                write(high)
            }
            // Written only when set: a spec without its own seed hashes as it always did.
            if let seed = random.seed {
                write("seed")
                write(Int(truncatingIfNeeded: seed))
            }
        }
    }

    mutating func write(_ options: [String: OptionValue]) {
        byte(0x7B)
        word(UInt64(options.count))
        for name in options.keys.sorted() {
            write(name)
            switch options[name]! {
            case .bool(let value): write(value)
            case .integer(let value): write(value)
            case .number(let value): write(value)
            case .string(let value): write(value)
            case .tensor(let value):
                byte(0x54)
                write(value)
            case .null: write(nil as Double?)
            case .mappings(let items):
                byte(0x4C)
                word(UInt64(items.count))
                for item in items { write(item) }
            }
        }
    }

    mutating func write(_ component: JobSpec.Component) {
        write(component.name)
        write(component.options)
    }

    mutating func write(_ model: ModelConfiguration) {
        write("model")
        write(model.layers.count)
        for layer in model.layers { write(layer) }
        write("init")
        if let initial = model.initialParameters {
            write(initial.tensors.count)
            for entry in initial.tensors {
                write(entry.name)
                write(entry.tensor)
            }
        } else {
            write("default")
        }
        write("train")
        write(model.train)
        write("validation")
        if let validation = model.validation { write(validation) } else { write("none") }
        write("batch")
        write(model.batchSize ?? 0)
        write(model.shuffle)
        write(model.dropLast)
        write(model.epochs ?? 0)
    }

    mutating func write(_ data: LoadedData) {
        switch data.origin {
        case .whole(let source):
            write("whole")
            write(source)
        case .splitTrain(let source, let fraction, let seed), .splitValidation(let source, let fraction, let seed):
            if case .splitTrain = data.origin { write("split-train") } else { write("split-validation") }
            write(source)
            write(fraction)
            write(Int(truncatingIfNeeded: seed))
        }
        write(data.dataset.rows)
        word(data.digest)
    }

    /// The kind and columns of a source (its paths are not hashed: the values are, by digest,
    /// so a job on a file that moves but keeps its content keeps its hash).
    mutating func write(_ source: DataSource) {
        switch source {
        case .csv(_, let features, let target):
            write("csv")
            write(features.count)
            for name in features { write(name) }
            write(target.count)
            for name in target { write(name) }
        case .npy:
            write("npy")
        case .synthetic(let spec):
            // The settings are in the values; the kind keeps two generators apart.
            write(spec.name)
        }
    }
}
