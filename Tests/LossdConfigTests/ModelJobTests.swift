// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdData
import LossdEngine
import Testing

/// Model jobs as they load: the keys, the defaults, the data, the engine's job, the hash.
@Suite("Model jobs")
struct ModelJobTests {
    /// A folder with a small regression CSV and a 3-class CSV.
    final class Workspace {
        let directory: URL

        init() throws {
            directory = try FixturePaths.temporaryDirectory()
            try write("regression.csv", "x1,x2,y\n0.5,1.0,1.5\n1.0,-1.0,0.0\n2.0,0.5,2.5\n-1.0,0.0,-1.0\n0.0,0.0,0.0\n")
            try write("classes.csv", "a,b,label\n0.1,0.2,0\n0.3,0.1,1\n-0.2,0.4,2\n0.5,0.5,1\n")
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }

        func write(_ name: String, bytes: [UInt8]) throws {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }

        /// Loads `yaml` as `lossd.yaml` in the folder, with `loader`'s dataset loader if given.
        func load(_ yaml: String, datasets: DatasetLoader = DatasetLoader()) throws -> LossdConfiguration {
            try write("lossd.yaml", yaml)
            return try ConfigLoader(workingDirectory: directory.path, datasets: datasets).load(path: "lossd.yaml")
        }
    }

    static let regressionJob = """
        jobs:
          - name: fit
            loss: mse
            optimizer: {name: sgd, lr: 0.1}
            model:
              layers: [{linear: {in_features: 2, out_features: 3}}, relu, {Linear: {in_features: 3, out_features: 1}}]
            data:
              train: {path: regression.csv, features: [x1, x2], target: y}
            batch_size: 2
            epochs: 3
            seed: 5
        """

    @Test("A model job decodes into its layers, data and batching, and max_steps is epochs x batches")
    func decodes() throws {
        let workspace = try Workspace()
        let job = try #require(try workspace.load(Self.regressionJob).jobs.first)
        let model = try #require(job.model)
        #expect(model.layers.map(\.name) == ["linear", "relu", "linear"])
        #expect(model.layers[2].options["in_features"] == .integer(3))
        #expect(model.layers[0].options["bias"] == .bool(true), "options are complete, PyTorch's defaults filled in")
        #expect(model.inputWidth == 2 && model.outputWidth == 1)
        #expect(model.train.dataset.rows == 5 && model.validation == nil)
        #expect(model.batchSize == 2 && model.shuffle && !model.dropLast && model.epochs == 3)
        #expect(!model.classIndexTargets)
        #expect(model.batchesPerEpoch == 3)
        #expect(job.stopping.maxSteps == 9)
        #expect(job.seed == 5)

        let spec = job.spec(losses: .builtins)
        let engineJob = try #require(spec.model)
        #expect(engineJob.layers == model.layers)
        #expect(engineJob.train.features == model.train.dataset.features)
        #expect(engineJob.batchSize == 2 && engineJob.epochs == 3 && engineJob.seed == 5 && engineJob.initialParameters == nil)
        #expect(spec.stopping.maxSteps == 9)
    }

    @Test("max_steps written with epochs bounds the run; drop_last floors the batches per epoch")
    func stepsAndDropLast() throws {
        let workspace = try Workspace()
        let yaml = Self.regressionJob.replacingOccurrences(of: "    epochs: 3", with: "    epochs: 3\n    max_steps: 4\n    drop_last: true")
        let job = try #require(try workspace.load(yaml).jobs.first)
        #expect(job.stopping.maxSteps == 4)
        #expect(job.model?.batchesPerEpoch == 2)
    }

    @Test("Without features every column but the target is a feature; class-index targets follow the loss")
    func classification() throws {
        let workspace = try Workspace()
        let configuration = try workspace.load("""
            defaults:
              model: {layers: [{linear: {in_features: 2, out_features: 3}}]}
              data: {train: {path: classes.csv, target: label}, validation: {split: 0.25}}
              optimizer: adam
              epochs: 2
            jobs:
              - name: ce
                loss: cross_entropy
              - name: margin
                loss: multi_margin
              - name: mse
                loss: mse
                model: {layers: [{linear: {in_features: 2, out_features: 1}}]}
            """)
        #expect(configuration.jobs.map(\.name) == ["ce", "margin", "mse"])
        let ce = try #require(configuration.jobs[0].model)
        #expect(ce.train.dataset.featureNames == ["a", "b"])
        #expect(ce.train.dataset.rows == 3 && ce.validation?.dataset.rows == 1)
        #expect(ce.classIndexTargets)
        #expect(configuration.jobs[1].model?.classIndexTargets == true)
        #expect(configuration.jobs[2].model?.classIndexTargets == false)
        let losses = LossRegistry.builtins
        #expect(ModelTargets.usesClassIndices(try losses.entry(named: "cross_entropy").descriptor, targetWidth: 3) == false)
        #expect(ModelTargets.usesClassIndices(try losses.entry(named: "cross_entropy").descriptor, targetWidth: 1))
        #expect(ModelTargets.usesClassIndices(try losses.entry(named: "multi_margin").descriptor, targetWidth: 1))
        #expect(ModelTargets.usesClassIndices(try losses.entry(named: "mse").descriptor, targetWidth: 1) == false)

        // A target equal to ignore_index is skipped by the class check, as PyTorch skips it.
        try workspace.write("ignored.csv", "a,b,label\n0.1,0.2,0\n0.3,0.1,-100\n-0.2,0.4,2\n")
        let ignoring = try workspace.load("""
            jobs:
              - name: ce
                loss: cross_entropy
                optimizer: sgd
                model: {layers: [{linear: {in_features: 2, out_features: 3}}]}
                data: {train: {path: ignored.csv, target: label}}
                epochs: 1
            """)
        #expect(ignoring.jobs.count == 1)
    }

    @Test("Jobs on one file share one copy of its numbers")
    func sharedData() throws {
        let workspace = try Workspace()
        let configuration = try workspace.load(Self.regressionJob + "\n    sweep:\n      optimizer.lr: [0.1, 0.01]\n      batch_size: [1, 5]\n")
        #expect(configuration.jobs.map(\.name) == ["fit.lr-0.1.batch_size-1", "fit.lr-0.1.batch_size-5", "fit.lr-0.01.batch_size-1", "fit.lr-0.01.batch_size-5"])
        let addresses = configuration.jobs.map { job in job.model!.train.dataset.features.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(Set(addresses).count == 1)
        #expect(configuration.jobs.map { $0.model!.batchSize } == [1, 5, 1, 5])
        #expect(Set(configuration.jobs.map(\.hash)).count == 4)
    }

    @Test("A synthetic source is seeded by the job's seed unless it sets one")
    func synthetic() throws {
        let workspace = try Workspace()
        let configuration = try workspace.load("""
            defaults:
              model: {layers: [{linear: {in_features: 3, out_features: 1}}]}
              optimizer: adam
              loss: huber
              epochs: 1
            jobs:
              - name: a
                data: {train: {synthetic: {kind: regression, rows: 20, features: 3, outlier_fraction: 0.1}}}
                seed: 1
              - name: b
                data: {train: {synthetic: {kind: regression, rows: 20, features: 3, outlier_fraction: 0.1}}}
                seed: 2
              - name: c
                data: {train: {synthetic: {kind: regression, rows: 20, features: 3, outlier_fraction: 0.1, seed: 1}}}
                seed: 2
            """)
        let data = configuration.jobs.map { $0.model!.train }
        #expect(data[0].dataset.rows == 20)
        #expect(data[0].digest != data[1].digest)
        #expect(data[0].digest == data[2].digest)
    }

    // MARK: - The hash

    @Test("The hash follows the data's content: an edited value changes it, a touched or reformatted file does not")
    func hashFollowsData() throws {
        let workspace = try Workspace()
        let datasets = DatasetLoader()
        let first = try #require(try workspace.load(Self.regressionJob, datasets: datasets).jobs.first?.hash)
        // The same numbers written differently, and a new modification time.
        try workspace.write("regression.csv", "x1,x2,y\n0.50,1,1.5\n1.0,-1.0,0\n2,0.5,2.5\n-1.0,0.0,-1.0\n0,0,0.0\n")
        let reformatted = try #require(try workspace.load(Self.regressionJob, datasets: datasets).jobs.first?.hash)
        #expect(reformatted == first)
        try workspace.write("regression.csv", "x1,x2,y\n0.5,1.0,1.5\n1.0,-1.0,0.0\n2.0,0.5,2.5\n-1.0,0.0,-1.0\n0.0,0.0,0.25\n")
        let edited = try #require(try workspace.load(Self.regressionJob, datasets: datasets).jobs.first)
        #expect(edited.hash != first)
        #expect(edited.model?.train.dataset.targets.last == 0.25, "the loader read the edited file afresh")
    }

    @Test("The hash follows every training key of a model job", arguments: [
        ("batch_size: 2", "batch_size: 3"),
        ("epochs: 3", "epochs: 4"),
        ("seed: 5", "seed: 6"),
        ("relu", "tanh"),
        ("lr: 0.1", "lr: 0.2"),
        ("features: [x1, x2]", "features: [x2, x1]"),
        ("loss: mse", "loss: l1"),
        ("    seed: 5", "    seed: 5\n    shuffle: false"),
        ("    seed: 5", "    seed: 5\n    drop_last: true"),
        ("train: {path: regression.csv, features: [x1, x2], target: y}",
         "train: {path: regression.csv, features: [x1, x2], target: y}\n      validation: {split: 0.2}"),
    ])
    func hashFollowsKeys(_ change: (String, String)) throws {
        let workspace = try Workspace()
        let before = try #require(try workspace.load(Self.regressionJob).jobs.first?.hash)
        let changed = Self.regressionJob.replacingOccurrences(of: change.0, with: change.1)
        #expect(changed != Self.regressionJob)
        let after = try #require(try workspace.load(changed).jobs.first?.hash)
        #expect(after != before)
    }

    @Test("The hash follows model.init's content, and the tensors reach the engine in the model's order")
    func initFile() throws {
        let workspace = try Workspace()
        func safetensors(weight: [Double], bias: [Double]) -> [UInt8] {
            // Written out by hand so the test does not depend on the writer it checks against.
            let header = #"{"0.bias":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"0.weight":{"dtype":"F64","shape":[1,2],"data_offsets":[8,24]}}"#
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
            for value in bias + weight { bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            return bytes
        }
        let yaml = """
            jobs:
              - name: fit
                loss: mse
                optimizer: sgd
                model:
                  layers: [{linear: {in_features: 2, out_features: 1}}]
                  init: init.safetensors
                data: {train: {path: regression.csv, features: [x1, x2], target: y}}
                epochs: 1
            """
        try workspace.write("init.safetensors", bytes: safetensors(weight: [0.5, -0.25], bias: [0.1]))
        let job = try #require(try workspace.load(yaml).jobs.first)
        let initial = try #require(job.model?.initialParameters)
        #expect(initial.tensors.map(\.name) == ["0.weight", "0.bias"])
        #expect(initial.tensors[0].tensor == Tensor(shape: [1, 2], scalars: [0.5, -0.25]))
        #expect(job.spec(losses: .builtins).model?.initialParameters?.map(\.name) == ["0.weight", "0.bias"])
        try workspace.write("init.safetensors", bytes: safetensors(weight: [0.5, -0.25], bias: [0.2]))
        let changed = try #require(try workspace.load(yaml).jobs.first)
        #expect(changed.hash != job.hash)
    }

    @Test("A free-tensor job's hash is unchanged by the model-job keys in defaults")
    func freeTensorJobsUnchanged() throws {
        let workspace = try Workspace()
        let plain = try workspace.load("""
            jobs:
              - {name: seed-mse, loss: mse, init: [10, 10, 10], target: [30, 20, 50], optimizer: {name: sgd, lr: 0.5}, max_steps: 1000}
            """)
        let withDefaults = try workspace.load("""
            defaults:
              data: {train: {path: regression.csv, target: y}}
              batch_size: 4
              epochs: 2
            jobs:
              - {name: seed-mse, loss: mse, init: [10, 10, 10], target: [30, 20, 50], optimizer: {name: sgd, lr: 0.5}, max_steps: 1000}
            """)
        #expect(plain.jobs[0].model == nil)
        #expect(withDefaults.jobs[0].hash == plain.jobs[0].hash)
    }

    // MARK: - Sources and paths

    @Test("A pair of .npy files is a source; dotted sweeps reach into data")
    func numpyAndDataSweep() throws {
        let workspace = try Workspace()
        /// A version 1.0 .npy file of little-endian float64 values.
        func npy(_ values: [Double], shape: String) -> [UInt8] {
            var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
            bytes += withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
            for value in values { bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            return bytes
        }
        try workspace.write("x.npy", bytes: npy([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], shape: "(5, 2)"))
        try workspace.write("y.npy", bytes: npy([1, 0, 1, 0, 1], shape: "(5,)"))
        let configuration = try workspace.load("""
            jobs:
              - name: np
                loss: bce_with_logits
                optimizer: sgd
                model: {layers: [{linear: {in_features: 2, out_features: 1}}]}
                data: {train: {features: x.npy, target: y.npy}, validation: {split: 0.2}}
                epochs: 2
                sweep:
                  data.validation.split: [0.2, 0.4]
            """)
        #expect(configuration.jobs.map(\.name) == ["np.split-0.2", "np.split-0.4"])
        #expect(configuration.jobs.map { $0.model!.train.dataset.rows } == [4, 3])
        #expect(configuration.jobs.map { $0.model!.validation!.dataset.rows } == [1, 2])
        #expect(configuration.jobs[0].model?.train.dataset.featureNames == ["x0", "x1"])
    }

    @Test("Data paths are relative to the file that writes them: a drop-in's to its folder, a default's to the main file's")
    func relativePaths() throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(at: workspace.directory.appendingPathComponent("jobs.d/data"), withIntermediateDirectories: true)
        try workspace.write("jobs.d/data/local.csv", "x1,x2,y\n1,2,3\n4,5,6\n")
        try workspace.write("jobs.d/a.yaml", """
            jobs:
              - name: local
                data: {train: {path: data/local.csv, target: y}}
              - name: inherited
            """)
        let configuration = try workspace.load("""
            daemon: {jobs_directory: jobs.d}
            defaults:
              loss: mse
              optimizer: sgd
              model: {layers: [{linear: {in_features: 2, out_features: 1}}]}
              data: {train: {path: regression.csv, target: y}}
              epochs: 1
            jobs: []
            """)
        #expect(configuration.jobs.map(\.name) == ["local", "inherited"])
        #expect(configuration.jobs.map { $0.model!.train.dataset.rows } == [2, 5])
        #expect(configuration.jobs[0].model?.train.display == "jobs.d/data/local.csv")
        #expect(configuration.jobs[1].model?.train.display == "regression.csv")
    }

    @Test("With loadsData off (the fuzz target) model jobs are checked as written, nothing is read, and they are left out")
    func withoutData() throws {
        let workspace = try Workspace()
        try workspace.write("lossd.yaml", Self.regressionJob.replacingOccurrences(of: "regression.csv", with: "/nonexistent/data.csv"))
        var loader = ConfigLoader(workingDirectory: workspace.directory.path)
        loader.loadsData = false
        #expect(try loader.load(path: "lossd.yaml").jobs.isEmpty)
        try workspace.write("lossd.yaml", Self.regressionJob.replacingOccurrences(of: "batch_size: 2", with: "batch_size: 0"))
        #expect(throws: ConfigErrors.self) { try loader.load(path: "lossd.yaml") }
    }
}
