// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import LossdJSON

#if canImport(Glibc)
import Glibc
#endif

/// `results.index`: one line per result written, appended after its `results/<job>.json` is
/// durable, so that `lossd results` and `lossd status` read one file instead of opening every
/// result. The result files stay the truth; the index is a cache of them that readers check:
///
///     lossd-result-index 1
///     INODE NAME LENGTH SUMMARY<TAB>DOCUMENT
///
/// `INODE` is the result file's inode number (every atomic write makes a new file, so a line
/// describes one write of one file), `NAME` the job, `LENGTH` the bytes of the rest of the
/// line (before its newline), `SUMMARY` a JSON array of what
/// `lossd status` shows (see ``summary(_:)``), `DOCUMENT` the result document as
/// `results/<job>.json` holds it, or `-` when it is larger than ``maximumDocumentBytes``.
/// Canonical JSON escapes tabs and newlines, so neither appears inside a field.
///
/// A reader uses a job's last line only when the job's result file has that line's inode
/// (``StateReader/resultCatalog()``): a result written but not indexed yet (a crash between
/// the two), replaced, archived or removed is read from, or left out with, its file. A line that
/// does not parse (torn by a crash) is skipped. The daemon repairs the index when it opens the
/// directory (``StateStore/reconcileResultIndex()``).
public enum ResultIndex {
    /// The file's name in the state directory.
    public static let fileName = "results.index"
    static let header = "lossd-result-index 1"
    /// Larger documents are read from their result file (a wide job's `output`).
    public static let maximumDocumentBytes = 1 << 20

    /// One parsed line: byte ranges into the index's bytes.
    struct Line {
        var inode: UInt64
        var summary: Range<Int>
        /// Nil when the document is left to the result file.
        var document: Range<Int>?
    }

    /// The lines of an index file, each job's last line kept; `validLength` is the length of
    /// its complete lines (a torn last line past it), `count` how many lines parsed, `damaged`
    /// how many complete lines did not. Nil when the file is not an index of this version.
    static func parse(_ bytes: [UInt8]) -> (lines: [String: Line], count: Int, damaged: Int, validLength: Int)? {
        guard bytes.starts(with: headerBytes) else { return nil }
        var lines: [String: Line] = [:]
        var count = 0, damaged = 0
        let validLength = completeLines(bytes, from: headerBytes.count) { _, parsed, _ in
            guard let (name, line) = parsed else {
                damaged += 1
                return
            }
            lines[name] = line
            count += 1
        }
        return (lines, count, damaged, validLength)
    }

    /// The header line's bytes.
    static let headerBytes = Array((header + "\n").utf8)

    /// Calls `body` with each complete line of `bytes` from `start` on: where it starts, its
    /// parse (nil when damaged) and the index of its newline. Returns where the complete lines end.
    static func completeLines(_ bytes: [UInt8], from start: Int,
                              _ body: (_ start: Int, _ parsed: (name: String, line: Line)?, _ end: Int) -> Void) -> Int {
        var start = start
        while start < bytes.count {
            // A line's length field leads past its document; a line without a valid one is
            // skipped up to the next newline.
            let parsed = parseLine(bytes, from: start)
            guard let end = parsed?.end ?? bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            body(start, parsed.map { ($0.name, $0.line) }, end)
            start = end + 1
        }
        return start
    }

    /// Reads the index file at `path` a few MiB at a time (the daemon's opening should not
    /// hold an index of a million results in memory): calls `body` with each complete line
    /// after the header (its bytes with the newline; its parse, nil when damaged, with ranges
    /// that index those bytes; its offset in the file). Returns the length of the complete
    /// lines (a torn last line past it) and of the file; nil when the file is missing or not an
    /// index of this version.
    static func scan(_ path: String, _ body: (_ line: ArraySlice<UInt8>, _ parsed: (name: String, line: Line)?, _ offset: Int) -> Void)
        -> (validLength: Int, length: Int)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4 << 20)
        var offset = 0  // of buffer[0] in the file
        var headerRead = false
        while true {
            // Sound: the pointer addresses `chunk`'s storage, valid for this call; count is its size.
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            buffer += chunk[..<count]
            var start = 0
            if !headerRead {
                guard buffer.count >= headerBytes.count || count == 0 else { continue }
                guard buffer.starts(with: headerBytes) else { return nil }
                headerRead = true
                start = headerBytes.count
            }
            start = completeLines(buffer, from: start) { lineStart, parsed, end in
                body(buffer[lineStart...end], parsed, offset + lineStart)
            }
            if count == 0 { return (offset + start, offset + buffer.count) }
            buffer.removeFirst(start)
            offset += start
        }
    }

    /// The line that starts at `start`, its job and the index of its newline; nil when it is
    /// not a complete line (torn, or continued by a later append).
    private static func parseLine(_ bytes: [UInt8], from start: Int) -> (name: String, line: Line, end: Int)? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        // The fields before the summary are short (a name has at most 200 characters): look
        // for their spaces among the first bytes.
        let head = start..<min(bytes.count, start + 300)
        guard let firstSpace = bytes[head].firstIndex(of: space),
              let secondSpace = bytes[(firstSpace + 1)..<head.upperBound].firstIndex(of: space),
              let thirdSpace = bytes[(secondSpace + 1)..<head.upperBound].firstIndex(of: space),
              let inode = number(bytes[start..<firstSpace]), let length = number(bytes[(secondSpace + 1)..<thirdSpace]),
              secondSpace > firstSpace + 1, length < UInt64(bytes.count - thirdSpace - 1) else { return nil }
        let end = thirdSpace + 1 + Int(length)
        guard bytes[end] == UInt8(ascii: "\n"),
              let separator = bytes[(thirdSpace + 1)..<end].firstIndex(of: tab), separator > thirdSpace + 1, end > separator + 1
        else { return nil }
        let document = separator + 1
        let isLeftOut = end == document + 1 && bytes[document] == UInt8(ascii: "-")
        guard isLeftOut || (bytes[document] == UInt8(ascii: "{") && bytes[end - 1] == UInt8(ascii: "}")) else { return nil }
        let name = String(decoding: bytes[(firstSpace + 1)..<secondSpace], as: UTF8.self)
        return (name, Line(inode: inode, summary: (thirdSpace + 1)..<separator, document: isLeftOut ? nil : document..<end), end)
    }

    /// A decimal number of at most 19 digits.
    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + UInt64(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether a job's name can be a field of a line (a configuration's names always can).
    static func isIndexable(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && name.utf8.allSatisfy { $0 > 0x20 }
    }

    /// The line of a result document written to a file with `inode`.
    static func line(inode: UInt64, record: JobRecord, document: String) -> String {
        line(inode: inode, name: record.name, summary: summary(record).serialized(),
             document: document.utf8.count <= maximumDocumentBytes ? document : "-")
    }

    /// `INODE NAME LENGTH SUMMARY<TAB>DOCUMENT`, `LENGTH` counting the bytes after it: a line
    /// torn by a crash and continued by a later append does not have the length it claims.
    static func line(inode: UInt64, name: String, summary: String, document: String) -> String {
        "\(inode) \(name) \(summary.utf8.count + 1 + document.utf8.count) \(summary)\t\(document)\n"
    }

    /// What `lossd status` reads of a result, in this order: status, status_detail,
    /// status_code, steps, loss, best_loss, lr, elapsed_seconds, started_at, finished_at as the
    /// result document writes them, then for a model job that finished an epoch its number,
    /// train loss, validation loss and accuracy (see ``JobRecord/epoch``).
    static func summary(_ record: JobRecord) -> JSONValue {
        // The document holds the epoch in its `model` section only.
        let epoch = (record.model == nil ? nil : record.epoch).map { epoch -> [JSONValue] in
            [.integer(epoch.epoch), .number(epoch.trainLoss), epoch.validationLoss.map(JSONValue.number) ?? .null,
             epoch.accuracy.map(JSONValue.number) ?? .null]
        }
        return .array([
            .string(record.status.name), record.status.detail.map(JSONValue.string) ?? .null,
            record.status.code.map { .string($0.description) } ?? .null, .integer(record.steps), .number(record.loss),
            .number(record.bestLoss), .number(record.learningRate), .number(record.elapsedSeconds),
            .string(Timestamp.rfc3339(record.startedAt)), .string(Timestamp.rfc3339(record.finishedAt ?? record.startedAt)),
        ] + (epoch ?? []))
    }

    /// The record ``summary(_:)`` describes, as ``JobRecord/init(result:)`` reads those fields
    /// from the document; nil when the summary is not one.
    static func record(name: String, summary bytes: ArraySlice<UInt8>) -> JobRecord? {
        guard case .array(let values)? = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)), values.count == 10 || values.count == 14,
              let statusName = values[0].stringValue,
              let status = JobStatus(name: statusName, detail: values[1].stringValue, code: values[2].stringValue),
              let steps = values[3].integerValue else { return nil }
        func number(_ index: Int) -> Double { values[index].doubleValue ?? .nan }
        var record = JobRecord(name: name, status: status, steps: steps, loss: number(4), bestLoss: number(5), learningRate: number(6),
                               lossFunction: "", optimizer: "", startedAt: Timestamp.seconds(values[8].stringValue),
                               finishedAt: Timestamp.seconds(values[9].stringValue), elapsedSeconds: number(7))
        if values.count == 14, let epoch = values[10].integerValue {
            record.epoch = EpochRecord(epoch: epoch, step: steps, trainLoss: number(11), validationLoss: values[12].doubleValue,
                                       accuracy: values[13].doubleValue, learningRate: record.learningRate)
        }
        return record
    }
}
