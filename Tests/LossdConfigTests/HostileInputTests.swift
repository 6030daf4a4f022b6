// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LossdConfig
import LossdTestSupport
import Testing

/// Hostile files fail cleanly: an error, no crash, within a second of CPU time and 100 MB of memory.
///
/// Time is the CPU time of the loading thread (the load runs synchronously on it), so the bound
/// catches runaway work (a quadratic scan, an alias expansion) and not a machine busy with other
/// processes. Memory is the growth of the process's peak resident set (getrusage) across the load,
/// an upper bound on what the load itself took; the suite runs serialized so that its loads do
/// not overlap.
@Suite("Hostile inputs are rejected quickly and cheaply", .serialized)
struct HostileInputTests {
    static func peakKilobytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    /// Loads `bytes` (or the file at `path`), expects an error with one of `codes`, and checks the bounds.
    func expectRejected(_ bytes: [UInt8]?, path: String? = nil, codes: [ConfigError.Code], sourceLocation: SourceLocation = #_sourceLocation) {
        let loader = ConfigLoader(workingDirectory: "/")
        let before = Self.peakKilobytes()
        var errors: [ConfigError] = []
        let start = TestTiming.threadCPUTime()
        do throws(ConfigErrors) {
            if let bytes {
                _ = try loader.load(bytes: bytes, name: "hostile.yaml")
            } else {
                _ = try loader.load(path: path!)
            }
        } catch {
            errors = error.errors
        }
        let elapsed = TestTiming.threadCPUTime() - start
        let grown = Self.peakKilobytes() - before
        #expect(!errors.isEmpty, "accepted", sourceLocation: sourceLocation)
        #expect(errors.contains { codes.contains($0.code) }, "got \(errors.map(\.description))", sourceLocation: sourceLocation)
        #expect(elapsed < TestTiming.bound(.seconds(1)), "took \(elapsed) of CPU time", sourceLocation: sourceLocation)
        #expect(grown < 100 * 1024, "peak memory grew by \(grown) kB", sourceLocation: sourceLocation)
    }

    @Test("Billion laughs: aliases expanding to 10^9 nodes")
    func billionLaughs() {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = "abcdefghij".map(String.init)
        for level in 1..<names.count {
            let alias = "*" + names[level - 1]
            text += "\(names[level]): &\(names[level]) [" + Array(repeating: alias, count: 9).joined(separator: ", ") + "]\n"
        }
        text += "jobs:\n  - name: laughs\n    loss: mse\n    init: *j\n    target: *j\n    optimizer: sgd\n    max_steps: 1\n"
        expectRejected(Array(text.utf8), codes: [.limit])
    }

    @Test("Nesting 10,000 deep", arguments: ["flow list", "flow mapping", "block list", "block mapping"])
    func deepNesting(_ style: String) {
        let depth = 10_000
        let text: String
        switch style {
        case "flow list": text = "jobs: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        case "flow mapping": text = "jobs: " + String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth) + "\n"
        case "block list": text = "jobs:\n" + String(repeating: "- ", count: depth) + "x\n"
        // Block mappings indent one more space per level, so 4 MiB hold at most ~2,900 levels.
        default: text = (0..<2_500).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        }
        expectRejected(Array(text.utf8), codes: [.limit, .syntax])
    }

    @Test("A million open brackets (libyaml scans deep flow nesting in quadratic time)")
    func unclosedBrackets() {
        expectRejected(Array(("jobs: " + String(repeating: "[", count: 1_000_000)).utf8), codes: [.limit])
    }

    @Test("A 100 MB file is refused before it is read")
    func hugeFile() throws {
        let directory = try FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("huge.yaml")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 100 * 1024 * 1024)
        try handle.close()
        expectRejected(nil, path: url.path, codes: [.unreadable])
    }

    @Test("Random bytes", arguments: [1, 2, 3, 4])
    func randomBytes(_ seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        expectRejected(bytes, codes: [.encoding, .syntax, .limit])
    }

    @Test("Random YAML punctuation", arguments: [5, 6, 7])
    func randomPunctuation(_ seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let alphabet = Array("ab1 :-[]{},&*!|>#'\"\n\t?%@`".utf8)
        let bytes = (0..<(1 << 20)).map { _ in alphabet.randomElement(using: &generator)! }
        expectRejected(bytes, codes: [.encoding, .syntax, .limit, .unknownKey, .wrongType, .duplicateKey, .empty])
    }

    @Test("Two million nodes in a flat list")
    func manyNodes() {
        expectRejected(Array(("jobs: [" + String(repeating: "1,", count: 2_000_000) + "1]\n").utf8), codes: [.limit])
    }

    @Test("A hundred thousand aliases")
    func manyAliases() {
        let text = "x: &a 1\ny: [" + Array(repeating: "*a", count: 100_001).joined(separator: ",") + "]\n"
        expectRejected(Array(text.utf8), codes: [.limit])
    }

    @Test("Thousands of anchors")
    func manyAnchors() {
        let text = "x: [" + (0..<50_000).map { "&a\($0) \($0)" }.joined(separator: ",") + "]\n"
        expectRejected(Array(text.utf8), codes: [.limit])
    }

    @Test("An alias inside its own anchor (a cycle)")
    func cycle() {
        expectRejected(Array("jobs: &loop [*loop]\n".utf8), codes: [.limit])
    }

    @Test("A random tensor of 10^12 elements (also with memory_limit: none) and sweeps of 10^8 jobs are refused without allocating")
    func hugeWork() {
        let tensor = "jobs:\n  - {name: big, loss: mse, init: {random: normal, shape: [1000000, 1000000]}, target: [1], optimizer: sgd, max_steps: 1}\n"
        expectRejected(Array(tensor.utf8), codes: [.limit])
        // A file that lifts the memory limit still cannot ask for more than the machine holds.
        expectRejected(Array(("daemon: {memory_limit: none}\n" + tensor).utf8), codes: [.limit])
        let values = "[" + (1...100).map(String.init).joined(separator: ", ") + "]"
        let sweep = "jobs:\n  - name: grid\n    sweep: {seed: \(values), max_steps: \(values), optimizer.lr: \(values), optimizer.momentum: \(values)}\n"
        expectRejected(Array(sweep.utf8), codes: [.limit])
    }

    @Test("NUL bytes, a UTF-16 byte order mark, a directory")
    func oddFiles() throws {
        expectRejected(Array("jobs: []\0\n".utf8), codes: [.encoding])
        expectRejected([0xFF, 0xFE] + Array("jobs: []".utf8), codes: [.encoding])
        let directory = try FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        expectRejected(nil, path: directory.path, codes: [.unreadable])
        expectRejected(nil, path: directory.appendingPathComponent("missing.yaml").path, codes: [.unreadable])
        expectRejected([], codes: [.empty])
    }
}
