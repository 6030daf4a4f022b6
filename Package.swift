// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "lossd",
    products: [
        // MARK: - Public API
        .library(name: "LossKit", targets: ["LossKit"]),
        .library(name: "LossdEngine", targets: ["LossdEngine"]),
        .executable(name: "lossd", targets: ["lossd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // MARK: - Public API
        // Pure Swift: the loss protocol, the registry and every loss. No system library, no I/O;
        // elementary functions come from swift-numerics' RealModule.
        .target(name: "LossKit", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),

        // The training engine: optimizers, schedulers, jobs and the worker pool that runs them.
        .target(name: "LossdEngine", dependencies: ["LossKit"]),

        // MARK: - Command line
        // The subcommands and their I/O (JSON tensors); a library so that tests can drive it in-process.
        .target(
            name: "LossdCommands",
            dependencies: [
                "LossKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "lossd",
            dependencies: ["LossdCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Tests
        // Shared test helpers (tolerance checks); not a product.
        .target(name: "LossdTestSupport", dependencies: ["LossKit"], path: "Tests/LossdTestSupport"),
        .testTarget(
            name: "LossKitTests",
            dependencies: ["LossKit", "LossdTestSupport", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "LossdCommandsTests",
            dependencies: ["LossdCommands", "LossKit", "LossdTestSupport"],
            resources: [.copy("Fixtures"), .copy("Snapshots")]
        ),
        .testTarget(
            name: "LossdEngineTests",
            dependencies: ["LossdEngine", "LossKit", "LossdTestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Stricter checks for every target (as swift-log does).
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
