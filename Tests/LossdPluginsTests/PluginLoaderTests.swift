// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdPlugins
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Loading plugins: the example plugins load and register; every broken one is refused with its
/// own error code and a message that says what is wrong.
@Suite("Plugin loader")
struct PluginLoaderTests {
    /// A loader with the file rule of the current user (root's rule when run as root).
    static func loader(_ sandbox: PluginSandbox) -> PluginLoader {
        PluginLoader(searchPath: PluginSearchPath(directories: [sandbox.directory]), requiredOwner: geteuid())
    }

    /// The error `reference` gets from `loader`, or a recorded issue.
    static func refusal(_ reference: String, _ loader: PluginLoader, builder: LossRegistry.Builder = .builtins) -> PluginError? {
        var builder = builder
        let failures = loader.register([reference], into: &builder)
        #expect(failures.count == 1, "\(reference) was expected to fail")
        return failures.first?.error
    }

    @Test func examplePluginsLoadWithTheirOrigin() throws {
        let sandbox = PluginSandbox("examples")
        defer { sandbox.remove() }
        let logcosh = sandbox.stage("lossd-logcosh")
        sandbox.stage("lossd-pinball")
        let loader = Self.loader(sandbox)
        var builder = LossRegistry.Builder.builtins
        let failures = loader.register([logcosh, "lossd-pinball"], into: &builder)
        #expect(failures.isEmpty, "\(failures.map(\.error.message))")
        let registry = builder.build()
        let entry = try registry.entry(named: "logcosh")
        #expect(entry.origin == "plugin \(logcosh) 1.0")
        #expect(try registry.entry(named: "pinball").origin == "plugin \(sandbox.path("liblossd-pinball.so")) 1.0")
        #expect(entry.descriptor.options.map(\.name) == ["reduction", "sharpness"])
        #expect(registry.names.prefix(21) == LossRegistry.builtins.names[...], "built-ins keep their order, plugins follow")
        let plugin = try loader.load("lossd-logcosh")
        #expect(plugin.name == "lossd-logcosh" && plugin.version == "1.0" && plugin.descriptors.map(\.name) == ["logcosh"])
    }

    @Test func pluginLossesEvaluateLikeTheSwiftReference() throws {
        let sandbox = PluginSandbox("evaluate")
        defer { sandbox.remove() }
        var builder = LossRegistry.Builder.builtins
        #expect(Self.loader(sandbox).register([sandbox.stage("lossd-logcosh"), sandbox.stage("lossd-pinball")], into: &builder).isEmpty)
        let plugins = builder.build(), reference = ReferenceLosses.registry
        let input = Tensor(shape: [2, 3], scalars: [0.5, -3, 800, 2, 2, -1e-3])
        let target = Tensor(shape: [2, 3], scalars: [0.25, 4, -10, 2, 1, 1e-3])
        for name in ["logcosh", "pinball"] {
            for options: [String: OptionValue] in [[:], ["reduction": .string("sum")], ["reduction": .string("none")],
                                                   name == "logcosh" ? ["sharpness": .number(3)] : ["quantile": .number(0.1)]] {
                let got = try LossEvaluation(loss: plugins.makeLoss(name, options: options), arguments: ["input": input, "target": target])
                let want = try LossEvaluation(loss: reference.makeLoss(name, options: options), arguments: ["input": input, "target": target])
                #expect(got.value == want.value, "\(name) \(options)")
                #expect(got.gradients == want.gradients, "\(name) \(options)")
            }
        }
    }

    @Test func optionsAreCheckedByThePlugin() throws {
        let sandbox = PluginSandbox("options")
        defer { sandbox.remove() }
        var builder = LossRegistry.Builder.builtins
        #expect(Self.loader(sandbox).register([sandbox.stage("lossd-logcosh"), sandbox.stage("lossd-pinball")], into: &builder).isEmpty)
        let registry = builder.build()
        #expect { _ = try registry.makeLoss("pinball", options: ["quantile": .number(1.5)]) } throws: { error in
            (error as? LossError)?.message == "option 'quantile' must be in (0, 1), got 1.5"
        }
        #expect { _ = try registry.makeLoss("logcosh", options: ["sharpness": .number(0)]) } throws: { error in
            (error as? LossError)?.message == "option 'sharpness' must be > 0, got 0"
        }
        #expect { _ = try registry.makeLoss("logcosh", options: ["sharpness": .string("x")]) } throws: { error in
            (error as? LossError)?.code == .invalidOption
        }
        #expect { _ = try registry.makeLoss("logcosh", options: ["beta": .number(1)]) } throws: { error in
            (error as? LossError)?.code == .unknownOption
        }
    }

    @Test func aLoadedPluginIsReusedNotReopened() throws {
        let sandbox = PluginSandbox("cache")
        defer { sandbox.remove() }
        let loader = Self.loader(sandbox)
        let path = sandbox.stage("lossd-logcosh")
        let first = try loader.load(path)
        let second = try loader.load("liblossd-logcosh.so")
        #expect(first.path == second.path)
    }

    // MARK: - Each failure has its error

    @Test func missingFileAndUnknownName() throws {
        let sandbox = PluginSandbox("missing")
        defer { sandbox.remove() }
        let loader = Self.loader(sandbox)
        let missing = try #require(Self.refusal(sandbox.path("nope.so"), loader))
        #expect(missing.code == .fileMissing)
        #expect(missing.message.contains("nope.so cannot be read: No such file or directory"), "\(missing.message)")
        let unknown = try #require(Self.refusal("nope", loader))
        #expect(unknown.code == .notFound)
        #expect(unknown.message.contains("plugin 'nope' not found: looked for nope, nope.so, libnope.so in \(sandbox.directory)"), "\(unknown.message)")
        let directory = try #require(Self.refusal(sandbox.directory + "/", loader))
        #expect(directory.code == .fileMissing && directory.message.contains("is not a regular file"), "\(directory.message)")
    }

    @Test func notASharedObject() throws {
        let sandbox = PluginSandbox("text")
        defer { sandbox.remove() }
        let error = try #require(Self.refusal(sandbox.write("libtext.so", "not a library\n"), Self.loader(sandbox)))
        #expect(error.code == .notSharedObject)
        #expect(error.message.contains("is not a shared object (no ELF header)"), "\(error.message)")
    }

    @Test func aLibraryWithoutTheEntrySymbol() throws {
        let sandbox = PluginSandbox("noentry")
        defer { sandbox.remove() }
        let error = try #require(Self.refusal(sandbox.stage("lossd-test-noentry"), Self.loader(sandbox)))
        #expect(error.code == .missingEntry)
        #expect(error.message.contains("does not export the entry point lossd_plugin_entry"), "\(error.message)")
    }

    @Test func wrongABIVersion() throws {
        let sandbox = PluginSandbox("abi")
        defer { sandbox.remove() }
        let error = try #require(Self.refusal(sandbox.broken("abi"), Self.loader(sandbox)))
        #expect(error.code == .abiMismatch)
        #expect(error.message.contains("was built for plugin ABI version 99, but this lossd supports version 1"), "\(error.message)")
    }

    @Test("Invalid descriptors", arguments: [
        ("null", "lossd_plugin_entry() returned NULL"),
        ("nullname", "the name of loss 0 is NULL or empty"),
        ("emptyname", "the plugin name is NULL or empty"),
        ("nocompute", "loss 'no_compute' has no compute function (NULL)"),
        ("badoption", "option 'weird' of loss 'bad_option' has unknown type 7"),
        ("badname", "loss name 'Bad Name' must be lowercase letters, digits and '_'"),
    ])
    func invalidDescriptor(_ defect: String, _ expected: String) throws {
        let sandbox = PluginSandbox("invalid")
        defer { sandbox.remove() }
        let path = sandbox.broken(defect)
        let error = try #require(Self.refusal(path, Self.loader(sandbox)))
        #expect(error.code == .invalidDescriptor)
        #expect(error.message.hasPrefix("plugin \(path) has an invalid descriptor: "), "\(error.message)")
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func duplicateNamesNeverReplaceALoss() throws {
        let sandbox = PluginSandbox("duplicate")
        defer { sandbox.remove() }
        let loader = Self.loader(sandbox)
        let builtin = try #require(Self.refusal(sandbox.broken("builtin"), loader))
        #expect(builtin.code == .duplicateLoss)
        #expect(builtin.message.contains("loss name 'mse' from plugin \(sandbox.path("broken-builtin.so")) 0.1 is already registered by built-in"), "\(builtin.message)")
        let twice = try #require(Self.refusal(sandbox.broken("twice"), loader))
        #expect(twice.code == .duplicateLoss && twice.message.contains("declares the loss 'dup' twice"), "\(twice.message)")
        // Two plugins: the second is refused whole, naming both files.
        var builder = LossRegistry.Builder.builtins
        let logcosh = sandbox.stage("lossd-logcosh")
        let failures = loader.register([logcosh, sandbox.broken("clash")], into: &builder)
        #expect(failures.map(\.index) == [1])
        let message = failures.first?.error.message ?? ""
        #expect(message.contains("broken-clash.so") && message.contains("already registered by plugin \(logcosh) 1.0"), "\(message)")
        #expect(try builder.build().entry(named: "logcosh").origin == "plugin \(logcosh) 1.0")
        #expect(try LossRegistry.builtins.entry(named: "mse").origin == "built-in")
    }

    @Test func aWrongGradientIsRefusedWithTheMeasuredError() throws {
        let sandbox = PluginSandbox("gradient")
        defer { sandbox.remove() }
        let error = try #require(Self.refusal(sandbox.broken("gradient"), Self.loader(sandbox)))
        #expect(error.code == .gradientCheck)
        #expect(error.message.contains("loss 'bad_gradient' fails the gradient check (reduction=none): d/d input[0] is "), "\(error.message)")
        // The analytic value is half the numeric one: the measured error is printed.
        let measured = error.message.split(separator: " ").firstIndex(of: "error").map { error.message.split(separator: " ")[$0 + 1] }
        #expect(measured.flatMap { Double($0) }.map { $0 > 0.01 } == true, "\(error.message)")
        #expect(error.message.contains("> tolerance 1e-05"))
    }

    // MARK: - Files root may load

    @Test func writableByOthersIsRefused() throws {
        let sandbox = PluginSandbox("mode")
        defer { sandbox.remove() }
        let path = sandbox.stage("lossd-logcosh")
        chmod(path, 0o664)
        let file = try #require(Self.refusal(path, Self.loader(sandbox)))
        #expect(file.code == .insecure)
        #expect(file.message.contains("the file \(path) is writable by its group (mode 664)"), "\(file.message)")
        chmod(path, 0o644)
        chmod(sandbox.directory, 0o777)
        defer { chmod(sandbox.directory, 0o755) }
        let directory = try #require(Self.refusal(path, Self.loader(sandbox)))
        #expect(directory.code == .insecure)
        #expect(directory.message.contains("the directory \(sandbox.directory) is writable by everyone"), "\(directory.message)")
        // Without the ownership rule (not running as root) the same file loads.
        let relaxed = PluginLoader(searchPath: PluginSearchPath(directories: []), requiredOwner: nil)
        #expect(throws: Never.self) { _ = try relaxed.load(path) }
    }

    @Test func notOwnedByTheRequiredUserIsRefused() throws {
        let sandbox = PluginSandbox("owner")
        defer { sandbox.remove() }
        let path = sandbox.stage("lossd-logcosh")
        let other = geteuid() == 0 ? UInt32(65_534) : geteuid()
        if geteuid() == 0 {
            chown(path, 65_534, 65_534)
        }
        let loader = PluginLoader(searchPath: PluginSearchPath(directories: []), requiredOwner: geteuid() == 0 ? 0 : other &+ 1)
        let error = try #require(Self.refusal(path, loader))
        #expect(error.code == .insecure)
        #expect(error.message.contains("the file \(path) is owned by uid \(other)"), "\(error.message)")
    }

    @Test func searchPathOrder() throws {
        let first = PluginSandbox("first"), second = PluginSandbox("second")
        defer { first.remove(); second.remove() }
        second.stage("lossd-logcosh")
        let path = PluginSearchPath(environment: ["LOSSD_PLUGIN_PATH": "\(first.directory)::\(second.directory)"])
        #expect(path.directories == [first.directory, second.directory, "/usr/lib/lossd/plugins"])
        #expect(try path.resolve("lossd-logcosh") == second.path("liblossd-logcosh.so"))
        first.stage("lossd-logcosh", as: "lossd-logcosh.so")
        #expect(try path.resolve("lossd-logcosh") == first.path("lossd-logcosh.so"))
        #expect(try path.resolve("./relative.so") == "./relative.so", "a path is used as given")
    }
}
