// SPDX-License-Identifier: Apache-2.0

/// A file taking part in a load: its name as shown in errors and its text for snippets.
struct SourceFile {
    var name: String
    var text: SourceText
}

/// Collects the errors of one load: every problem, once, up to ``ConfigLimits/maxErrors``.
///
/// The same value can be checked many times (a `defaults` entry for every job, a sweep value for
/// every combination); an error is kept once per file, position and message.
final class Diagnostics {
    private(set) var files: [SourceFile] = []
    private(set) var errors: [(order: Int, error: ConfigError)] = []
    private var seen: Set<String> = []
    private(set) var truncated = false
    let maxErrors: Int

    init(maxErrors: Int) {
        self.maxErrors = maxErrors
    }

    /// Registers a file and returns its index for ``Location``s.
    func add(file name: String, text: SourceText) -> Int32 {
        files.append(SourceFile(name: name, text: text))
        return Int32(files.count - 1)
    }

    /// The name of the file `location` is in.
    func fileName(of location: Location) -> String? {
        let file = Int(location.file)
        return files.indices.contains(file) ? files[file].name : nil
    }

    /// The position `source` names, in the file of that name registered last (a file read twice
    /// is registered twice with the same text).
    func location(of source: ConfigLocation) -> Location {
        let file = files.lastIndex { $0.name == source.file } ?? 0
        return Location(file: Int32(file), line: Int32(source.mark.line), column: Int32(source.mark.column))
    }

    /// Whether no error has been reported.
    var isClean: Bool { errors.isEmpty && !truncated }

    /// Whether the error budget is spent: callers stop looking, and the errors count as truncated.
    var isFull: Bool {
        guard errors.count >= maxErrors else { return false }
        truncated = true
        return true
    }

    /// Records a problem at `location`.
    func report(_ code: ConfigError.Code, at location: Location, path: KeyPath, _ message: String) {
        let file = Int(location.file)
        let mark = location.mark
        let identity = "\(file):\(mark):\(message)"
        guard !seen.contains(identity) else { return }
        guard errors.count < maxErrors else {
            truncated = true
            return
        }
        seen.insert(identity)
        errors.append((file, error(code, at: location, path: path, message)))
    }

    /// A located error that is not recorded (for problems that do not fail the load).
    func error(_ code: ConfigError.Code, at location: Location, path: KeyPath, _ message: String) -> ConfigError {
        let file = Int(location.file)
        let source = files.indices.contains(file) ? files[file] : nil
        return ConfigError(code, file: source?.name ?? "?", mark: location.mark, path: path.description, message,
                           snippet: source?.text.snippet(at: location.mark))
    }

    /// Records a problem about a node.
    func report(_ code: ConfigError.Code, at node: ConfigNode, path: KeyPath, _ message: String) {
        report(code, at: node.location, path: path, message)
    }

    /// The errors sorted by file (in reading order), then position.
    var sortedErrors: [ConfigError] {
        errors.enumerated().sorted { a, b in
            if a.element.order != b.element.order { return a.element.order < b.element.order }
            if a.element.error.mark != b.element.error.mark { return a.element.error.mark < b.element.error.mark }
            return a.offset < b.offset
        }.map(\.element.error)
    }
}
