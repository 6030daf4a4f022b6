// SPDX-License-Identifier: Apache-2.0

public import LossKit
import LossdJSON

/// The safetensors format (what `safetensors.torch.save_file` writes and `load_file` reads):
///
///     8 bytes      N, the header's length, unsigned little-endian
///     N bytes      a UTF-8 JSON object: {"<name>": {"dtype": "F64", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
///                  "__metadata__": {"<key>": "<value>", ...}}, padded with spaces to a multiple of 8
///     the rest     the tensors' bytes, little-endian, row-major; offsets are relative to the data's start
///
/// lossd reads `F64`, `F32` (widened to Double) and `I64` (an int64 ``Tensor``), and writes `F64`
/// (`I64` for int64 tensors). Malformed files are refused with a message naming the field.
public enum SafeTensors {
    /// A decoded file.
    public struct File: Sendable {
        /// The tensors in the order of their data in the file.
        public var tensors: [(name: String, tensor: Tensor)]
        /// The `__metadata__` strings (empty when absent).
        public var metadata: [String: String]
    }

    /// The largest header read (as the reference implementation: 100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// The tensors of a safetensors file, in the order of their data.
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> [(name: String, tensor: Tensor)] {
        try read(bytes).tensors
    }

    /// The tensors and the metadata of a safetensors file.
    public static func read(_ bytes: [UInt8]) throws(ModelError) -> File {
        guard bytes.count >= 8 else {
            throw .file("header", "file is \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let declared = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw .file("header", "header length \(declared) is larger than the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw .file("header", "header length \(headerLength) is more than the \(bytes.count - 8) bytes after it")
        }
        guard headerLength >= 2 else { throw .file("header", "header length \(headerLength) is too short for a JSON object") }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        guard let text = String(validating: bytes[8..<dataStart], as: UTF8.self) else {
            throw .file("header", "header is not valid UTF-8")
        }
        let header: JSONValue
        do {
            header = try JSONValue(parsing: text)
        } catch {
            throw .file("header", "header is not valid JSON: \(error)")
        }
        guard case .object(let members) = header else { throw .file("header", "header is \(header.kindName), expected a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try readMetadata(value)
                continue
            }
            entries.append(try readEntry(name, value, dataLength: dataLength))
        }
        entries.sort { $0.begin != $1.begin ? $0.begin < $1.begin : $0.end < $1.end }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw .file(next.name, "tensor '\(EchoedText.escaped(next.name))' (bytes \(next.begin)..<\(next.end)) overlaps '\(EchoedText.escaped(previous.name))' (bytes \(previous.begin)..<\(previous.end))")
        }
        let tensors = try entries.map { entry throws(ModelError) in
            let (tensor, inexact) = entry.dtype.tensor(shape: entry.shape, bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            if let position = inexact {
                throw .file(entry.name, "tensor '\(EchoedText.escaped(entry.name))' holds an I64 value at flat index \(position) beyond 2^53, which lossd cannot hold exactly")
            }
            return (name: entry.name, tensor: tensor)
        }
        return File(tensors: tensors, metadata: metadata)
    }

    /// A safetensors file of `tensors` (data in the given order), F64 (I64 for int64 tensors).
    ///
    /// - Precondition: the names are distinct and none is `__metadata__` (the header's reserved key).
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> [UInt8] {
        precondition(Set(tensors.map(\.name)).count == tensors.count && !tensors.contains { $0.name == "__metadata__" },
                     "safetensors tensor names must be distinct and not '__metadata__'")
        var members: [(String, JSONValue)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.keys.sorted().map { ($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.count * 8
            members.append((name, .object([
                ("dtype", .string(tensor.dtype == .int64 ? "I64" : "F64")),
                ("shape", .array(tensor.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(offset), .integer(offset + size)])),
            ])))
            offset += size
        }
        let header = JSONValue.object(members).serialized()
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        appendLittleEndian(UInt64(headerBytes.count), to: &bytes)
        bytes += headerBytes
        for (_, tensor) in tensors {
            for value in tensor.scalars {
                appendLittleEndian(tensor.dtype == .int64 ? UInt64(bitPattern: Int64(value)) : value.bitPattern, to: &bytes)
            }
        }
        return bytes
    }

    private static func appendLittleEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    // MARK: - Reading the header

    /// The element types lossd reads.
    enum DType: String {
        case f64 = "F64", f32 = "F32", i64 = "I64"

        var size: Int { self == .f32 ? 4 : 8 }

        /// The tensor whose little-endian elements are `bytes` (exactly `size * shape.product` of them), and
        /// the first I64 element a Double cannot hold exactly (beyond 2^53), if any.
        func tensor(shape: [Int], _ bytes: ArraySlice<UInt8>) -> (Tensor, inexact: Int?) {
            var inexact: Int?
            var scalars: [Double] = []
            scalars.reserveCapacity(bytes.count / size)
            var position = bytes.startIndex
            while position < bytes.endIndex {
                var raw: UInt64 = 0
                for byte in 0..<size { raw |= UInt64(bytes[position + byte]) << (8 * UInt64(byte)) }
                switch self {
                case .f64: scalars.append(Double(bitPattern: raw))
                case .f32: scalars.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw))))
                case .i64:
                    let value = Int64(bitPattern: raw)
                    if value.magnitude > 1 << 53, inexact == nil { inexact = scalars.count }
                    scalars.append(Double(value))
                }
                position += size
            }
            return (Tensor(shape: shape, scalars: scalars, dtype: self == .i64 ? .int64 : .float64), inexact)
        }
    }

    /// The dtypes of the format that lossd does not read (named in the refusal).
    static let otherDTypes: Set<String> = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "U64"]

    private static func readMetadata(_ value: JSONValue) throws(ModelError) -> [String: String] {
        guard case .object(let members) = value else {
            throw .file("__metadata__", "__metadata__ is \(value.kindName), expected an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw .file("__metadata__", "__metadata__ entry '\(EchoedText.escaped(key))' is \(value.kindName), expected a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func readEntry(_ name: String, _ value: JSONValue, dataLength: Int) throws(ModelError)
        -> (name: String, dtype: DType, shape: [Int], begin: Int, end: Int) {
        let shown = "tensor '\(EchoedText.escaped(name))'"
        guard case .object(let fields) = value else { throw .file(name, "\(shown) is \(value.kindName), expected an object") }
        func field(_ key: String) throws(ModelError) -> JSONValue {
            guard let found = fields.first(where: { $0.0 == key }) else { throw .file(name, "\(shown) has no '\(key)'") }
            return found.1
        }
        if let extra = fields.first(where: { !["dtype", "shape", "data_offsets"].contains($0.0) }) {
            throw .file(name, "\(shown) has an unknown field '\(EchoedText.escaped(extra.0))'")
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw .file(name, "\(shown): dtype is not a string") }
        guard let dtype = DType(rawValue: dtypeName) else {
            let known = otherDTypes.contains(dtypeName) ? "unsupported" : "unknown"
            throw .file(name, "\(shown) has \(known) dtype '\(EchoedText.escaped(dtypeName))' (lossd reads F64, F32 and I64)")
        }
        guard case .array(let dimensions) = try field("shape") else { throw .file(name, "\(shown): shape is not an array") }
        var shape: [Int] = []
        var elements = 1
        for dimension in dimensions {
            guard let extent = dimension.nonNegativeInteger else {
                throw .file(name, "\(shown): shape holds \(EchoedText.escaped(dimension.serialized())), not a non-negative integer")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= dataLength else {
                throw .file(name, "\(shown): shape \(Tensor.describe(shape + [extent])) holds more elements than the file's data")
            }
            shape.append(extent)
            elements = product
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].nonNegativeInteger, let end = offsets[1].nonNegativeInteger else {
            throw .file(name, "\(shown): data_offsets is not a pair of non-negative integers")
        }
        guard begin <= end, end <= dataLength else {
            throw .file(name, "\(shown): data_offsets [\(begin), \(end)] lie outside the \(dataLength) bytes of data")
        }
        guard end - begin == elements * dtype.size else {
            throw .file(name, "\(shown): shape \(Tensor.describe(shape)) of \(dtypeName) needs \(elements * dtype.size) bytes, data_offsets give \(end - begin)")
        }
        return (name, dtype, shape, begin, end)
    }
}

extension JSONValue {
    /// A short name of the value's kind, for messages.
    fileprivate var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as an integer >= 0, if it is one.
    fileprivate var nonNegativeInteger: Int? {
        if case .integer(let value) = self, value >= 0 { return value }
        return nil
    }
}
