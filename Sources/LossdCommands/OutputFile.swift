// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The `-o FILE` of the commands that print one document: standard output without it (or with
/// `-`), else the file, replaced atomically.
enum OutputFile {
    static func write(_ text: String, to output: String?) throws(CommandError) {
        guard let output, output != "-" else {
            print(text, terminator: "")
            return
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw CommandError(.cannotCreate, "cannot write \(output): \(error.localizedDescription)")
        }
    }
}
