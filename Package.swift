// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "lossd",
    products: [
        // MARK: - Public API
        .library(name: "LossKit", targets: ["LossKit"]),
        .library(name: "LossdEngine", targets: ["LossdEngine"]),
        .library(name: "LossdModel", targets: ["LossdModel"]),
        // For the separate benchmark package (Benchmarks/), which measures the daemon's reporting
        // (and gives its jobs the daemon's history cadence, from LossdConfig).
        .library(name: "LossdSystemd", targets: ["LossdSystemd"]),
        .library(name: "LossdConfig", targets: ["LossdConfig"]),
        .library(name: "LossdDaemon", targets: ["LossdDaemon"]),
        // Also for the benchmark package: the plugin-call board's cost per plugin call.
        .library(name: "LossdPlugins", targets: ["LossdPlugins"]),
        .library(name: "LossdSync", targets: ["LossdSync"]),
        .library(name: "LossdData", targets: ["LossdData"]),
        .executable(name: "lossd", targets: ["lossd"]),

        // MARK: - Loss plugins
        // The example plugins, as the shared libraries lossd loads (liblossd-logcosh.so, ...).
        .library(name: "lossd-logcosh", type: .dynamic, targets: ["LossdLogCoshPlugin"]),
        .library(name: "lossd-pinball", type: .dynamic, targets: ["LossdPinballPlugin"]),
        // Deliberately broken plugins for the tests (see Tests/PluginFixtures).
        .library(name: "lossd-test-broken", type: .dynamic, targets: ["LossdTestBrokenPlugin"]),
        .library(name: "lossd-test-noentry", type: .dynamic, targets: ["LossdTestNoEntryPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // MARK: - Public API
        // Pure Swift: the loss protocol, the registry and every loss. No system library, no I/O;
        // elementary functions come from swift-numerics' RealModule.
        .target(name: "LossKit", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),

        // AVX2 kernels for Linear's matrix products, chosen at run time (see linear_avx2.c), and
        // the vector square root of the optimizers' element updates (lossd_lanes.h).
        .target(name: "CLossdKernels"),

        // Layers with analytic backward, nn.Sequential over a flat parameter vector, the layer
        // registry, PyTorch's default init, safetensors read/write (header JSON through
        // LossdJSON). No I/O; Linear's products use CLossdKernels where the CPU has AVX2.
        .target(name: "LossdModel", dependencies: ["LossKit", "LossdJSON", "CLossdKernels", .product(name: "RealModule", package: "swift-numerics")]),

        // A lock whose critical sections ThreadSanitizer sees (every module that shares state
        // between threads locks with it, so the ThreadSanitizer run in CI has no false reports).
        .target(name: "LossdSync"),

        // The training engine: optimizers, schedulers, jobs and the worker pool that runs them;
        // checkpoints are JSON through LossdJSON.
        .target(name: "LossdEngine", dependencies: ["LossKit", "LossdData", "LossdModel", "LossdSync", "LossdJSON", "CLossdKernels", .product(name: "DequeModule", package: "swift-collections")]),

        // Datasets for model jobs: CSV and NumPy files streamed into row-major arrays with located
        // errors, seeded synthetic data, deterministic splits, one shared copy per file.
        .target(name: "LossdData", dependencies: ["LossKit", "LossdSync", .product(name: "RealModule", package: "swift-numerics")]),

        // JSON read and written exactly (tensors, results, the eval interface).
        .target(name: "LossdJSON", dependencies: ["LossKit"]),

        // Loss-curve charts as self-contained SVG (hand-written: no plotting package is available).
        .target(name: "LossdPlot"),

        // MARK: - C system libraries
        // libsystemd from the system (apt: libsystemd-dev); only LossdSystemd imports it.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // MARK: - systemd reporting
        // journald entries (sd_journal_sendv), sd_notify, watchdog; a swift-log handler for journald.
        .target(
            name: "LossdSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),

        // libyaml through pkg-config (apt: libyaml-dev); imported (internally) by LossdConfig only.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // MARK: - Configuration
        // The YAML configuration: libyaml's document loader, the schema, located errors, sweeps, drop-ins.
        // Jobs decode into the engine's types, checked by its registries; daemon.plugins load through LossdPlugins.
        .target(name: "LossdConfig", dependencies: ["LossKit", "CYAML", "LossdEngine", "LossdPlugins", "LossdData", "LossdModel", .product(name: "HeapModule", package: "swift-collections")]),

        // MARK: - Loss plugins
        // The plugin ABI: the public C header lossd/plugin.h (header-only).
        .target(name: "CLossdPlugin"),
        // Loads plugins (dlopen), checks them and adapts their losses to LossKit.
        .target(name: "LossdPlugins", dependencies: ["LossKit", "LossdSync", "CLossdPlugin"]),
        // The example plugins: log-cosh in C (the tutorial), pinball (quantile) in Swift via @_cdecl.
        .target(name: "LossdLogCoshPlugin", dependencies: ["CLossdPlugin"], path: "Examples/plugins/logcosh",
                publicHeadersPath: ".", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "LossdPinballPlugin", dependencies: ["CLossdPlugin"], path: "Examples/plugins/pinball"),
        // Test-only plugins with one defect each.
        .target(name: "LossdTestBrokenPlugin", dependencies: ["CLossdPlugin"], path: "Tests/PluginFixtures/broken",
                publicHeadersPath: ".", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "LossdTestNoEntryPlugin", path: "Tests/PluginFixtures/noentry", publicHeadersPath: "."),

        // MARK: - State
        // The state directory: its layout, the job records, status.json, atomic writes; read by
        // the command line, written by the daemon.
        .target(
            name: "LossdState",
            dependencies: [
                "LossKit", "LossdEngine", "LossdJSON", "LossdModel", "LossdPlot", "LossdSync",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Daemon
        // run/serve: supervises engine jobs, durable state, journald and sd_notify reporting, reload.
        .target(
            name: "LossdDaemon",
            dependencies: [
                "LossKit", "LossdEngine", "LossdConfig", "LossdState", "LossdSystemd", "LossdJSON", "LossdPlugins", "LossdPlot", "LossdData", "LossdModel",
                "LossdSync",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: - Command line
        // The subcommands and their I/O (JSON tensors); a library so that tests can drive it in-process.
        // Only run/serve (Run.swift) use the daemon; the read-only commands read LossdState.
        .target(
            name: "LossdCommands",
            dependencies: [
                "LossKit",
                "LossdJSON",
                "LossdConfig",
                "LossdState",
                "LossdDaemon",
                "LossdEngine",
                "LossdPlugins",
                "LossdPlot",
                "LossdData",
                "LossdModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // The executable's setpriority(2): drops libdispatch's refused request to raise one of its
        // threads' priority under a hardened unit (see setpriority.c).
        .target(name: "CLossdPriority"),

        // The stop signals of run and serve, caught before any initializer runs (see
        // early_signals.c); SignalRelay takes over in main and replays them. Linked into the
        // executable only: other programs that use LossdDaemon keep the default actions.
        .target(name: "CLossdEarlySignals"),

        .executableTarget(
            name: "lossd",
            dependencies: ["LossdCommands", "LossdDaemon", "CLossdPriority", "CLossdEarlySignals", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Tests
        // Shared test helpers (tolerance checks, the lossd process, doubles of the daemon's
        // collaborators: notifier, journal, clock, a loss that holds its worker); not a product.
        .target(name: "LossdTestSupport", dependencies: ["LossKit", "LossdSync", "LossdSystemd"], path: "Tests/LossdTestSupport"),
        .testTarget(
            name: "LossdEngineTests",
            dependencies: ["LossdEngine", "LossKit", "LossdData", "LossdTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LossdDaemonTests",
            dependencies: [
                "LossdDaemon", "LossdConfig", "LossdEngine", "LossdJSON", "LossKit", "LossdState", "LossdSync", "LossdSystemd",
                "LossdTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "LossdStateTests",
            dependencies: ["LossdState", "LossdEngine", "LossdJSON", "LossKit", "LossdPlot", "LossdTestSupport"]
        ),
        .testTarget(
            name: "LossKitTests",
            dependencies: ["LossKit", "LossdTestSupport", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "LossdPluginsTests",
            dependencies: [
                "LossdPlugins", "LossdConfig", "LossdDaemon", "LossdEngine", "LossKit", "LossdJSON", "LossdState", "LossdTestSupport",
            ]
        ),
        .testTarget(
            name: "LossdModelTests",
            dependencies: ["LossdModel", "LossKit", "LossdTestSupport", .product(name: "RealModule", package: "swift-numerics")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "LossdPlotTests", dependencies: ["LossdPlot", "LossdTestSupport"]),
        .testTarget(
            name: "LossdSystemdTests",
            dependencies: ["LossdSystemd", "LossdTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "LossdCommandsTests",
            dependencies: [
                "LossdCommands", "LossKit", "LossdJSON", "LossdTestSupport", "LossdState",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Snapshots"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LossdDataTests",
            dependencies: ["LossdData", "LossKit", .product(name: "RealModule", package: "swift-numerics")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LossdConfigTests",
            dependencies: ["LossdConfig", "LossdEngine", "LossKit", "LossdData", "LossdTestSupport"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)


// Stricter checks for every target (as swift-log does).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
