// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A private directory for one test, with copies of the built plugins in it.
///
/// Plugins are copied out of the build folder so that each test controls the file's name (the
/// broken fixture picks its defect by name), its mode and its directory: as root, lossd loads
/// only files that only root can change, which a fresh 0755 directory under /tmp satisfies.
final class PluginSandbox: Sendable {
    let directory: String

    init(_ label: String) {
        var template = Array("/tmp/lossd-plugins-\(label).XXXXXX".utf8CString)
        // Sound: mkdtemp rewrites the NUL-terminated template in place.
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { fatalError("mkdtemp failed") }
        directory = String(cString: made)
        chmod(directory, 0o755)
    }

    /// The folder SwiftPM builds lossd and the plugin libraries into.
    static var buildFolder: URL { LossdProcess.binary.deletingLastPathComponent() }

    /// Copies `lib<product>.so` from the build folder as `name` (default: the same name).
    @discardableResult
    func stage(_ product: String, as name: String? = nil) -> String {
        let source = PluginSandbox.buildFolder.appendingPathComponent("lib\(product).so").path
        let target = path(name ?? "lib\(product).so")
        try? FileManager.default.removeItem(atPath: target)
        do { try FileManager.default.copyItem(atPath: source, toPath: target) } catch {
            fatalError("cannot copy \(source) (is the package built?): \(error)")
        }
        chmod(target, 0o644)
        return target
    }

    /// The broken fixture plugin with the given defect (see Tests/PluginFixtures/broken).
    @discardableResult
    func broken(_ defect: String) -> String { stage("lossd-test-broken", as: "broken-\(defect).so") }

    /// Writes a text file.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let target = path(name)
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644])
        return target
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
