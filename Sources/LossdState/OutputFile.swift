// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdJSON
import LossdModel

/// A large job output kept beside its result: `results/<job>.output.safetensors` (one F64
/// tensor `output`, and the metadata `job` and `token`), which the result's `output` names as
/// `{"file": "<job>.output.safetensors", "token": "<token>"}` instead of holding the numbers.
///
/// An output of more than ``threshold`` elements goes there (as JSON text it would take about
/// 24 bytes an element, and as many again to build): 8 bytes an element, exact, readable by
/// `safetensors.numpy.load_file`. Smaller outputs stay inline, so their result files are as
/// before. The file is written (synced, renamed, its directory synced) before the result that
/// names it; the token, new at every write, ties the two, so a result never reads an output of
/// another write (a crash between the two leaves the older result, which then does not match
/// the newer file and is refused like any damaged result).
public struct OutputFile: Sendable, Hashable {
    /// The file's name, in the result's folder.
    public var file: String
    public var token: String

    /// Outputs of more elements than this (2^20) go to a file.
    public static let threshold = 1 << 20

    /// `<job>.output.safetensors`.
    public static func name(_ job: String) -> String { "\(job).output.safetensors" }

    public init(job: String) {
        file = Self.name(job)
        token = String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// The reference in a result: `{"file": ..., "token": ...}`; nil for anything else (an
    /// inline tensor), or a file name that is not a plain name in the result's folder.
    public init?(json: JSONValue) {
        guard case .object = json, let file = json["file"]?.stringValue, let token = json["token"]?.stringValue,
              !file.isEmpty, !file.contains("/"), file != ".", file != ".." else { return nil }
        self.file = file
        self.token = token
    }

    /// What a result holds in place of the numbers.
    public var json: JSONValue { .object([("file", .string(file)), ("token", .string(token))]) }

    /// The file's bytes for `output` of `job`.
    public func encoded(_ output: Tensor, job: String) -> [UInt8] {
        SafeTensors.encode([("output", output.floating)], metadata: ["job": job, "token": token])
    }

    /// The output read from `directory`; nil when the file is missing, damaged or of another write.
    public func read(in directory: String) -> Tensor? {
        guard let bytes = AtomicFile.read("\(directory)/\(file)"), let decoded = try? SafeTensors.read(bytes),
              decoded.metadata["token"] == token, decoded.tensors.count == 1, decoded.tensors[0].name == "output" else { return nil }
        return decoded.tensors[0].tensor
    }
}
