// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0
//
// lossd's benchmarks: a package of their own, so that the main package and CI never build
// package-benchmark. Run from this directory:
//
//     swift package benchmark                 # package-benchmark's runs and statistics
//     ./compare.sh                            # lossd vs the C reference, PyTorch and numpy: ratios
import PackageDescription

let package = Package(
    name: "lossd-benchmarks",
    dependencies: [
        .package(name: "lossd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: - Workloads
        // The measured jobs, shared by the package-benchmark suite and lossd-perf.
        .target(
            name: "LossdWorkloads",
            dependencies: [
                .product(name: "LossKit", package: "lossd"),
                .product(name: "LossdEngine", package: "lossd"),
                .product(name: "LossdData", package: "lossd"),
                .product(name: "LossdModel", package: "lossd"),
                .product(name: "LossdSystemd", package: "lossd"),
                .product(name: "LossdConfig", package: "lossd"),
                .product(name: "LossdDaemon", package: "lossd"),
                .product(name: "LossdPlugins", package: "lossd"),
                .product(name: "LossdSync", package: "lossd"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Ratios
        // One run of every workload, printed as figures for compare.sh.
        .executableTarget(name: "lossd-perf", dependencies: ["LossdWorkloads"]),

        // MARK: - package-benchmark
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["LossdWorkloads", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The main package's stricter checks, here too.
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
