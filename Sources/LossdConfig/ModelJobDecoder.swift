// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdEngine
import LossdModel

extension JobDecoder {
    /// Reads a model job (a job with `model`): the model, the data, the batching keys, then
    /// loads the data and checks the model, the data and the loss against each other.
    func decodeModelJob(_ job: JobEntries, common: CommonKeys, name: String, source: ConfigLocation, sweep: SweepOrigin?) -> JobConfiguration? {
        let path = job.path
        var valid = common.valid
        for key in JobDecoder.freeTensorKeys {
            guard let entry = job.ownEntry(key) else { continue }
            let advice = switch key {
            case "init": "'init' belongs to free-tensor jobs; a model job starts from model.init or PyTorch's default init"
            case "target": "'target' belongs to free-tensor jobs; a model job's targets are columns of its data (data.train.target)"
            default: "'inputs' belongs to free-tensor jobs; a model job's loss takes the model's output and the data's targets"
            }
            diagnostics.report(.unknownKey, at: entry.keyNode, path: path.key(key), advice)
            valid = false
        }

        // The model as written.
        var layers: [DecodedLayer]?
        var layersNode: ConfigNode?
        var initFile: (node: ConfigNode, path: KeyPath, file: (absolute: String, display: String))?
        let modelPath = path.key("model")
        if let model = diagnostics.mapping(job.value("model")!, modelPath, what: "model", allowed: ["layers", "init"]) {
            if let node = model.value("layers") {
                layersNode = node
                layers = self.layers(node, modelPath.key("layers"))
            } else {
                diagnostics.report(.missingKey, at: model.node, path: modelPath,
                                   "model needs 'layers', e.g. layers: [{linear: {in_features: 4, out_features: 1}}]")
            }
            if let node = model.value("init"), !isNull(node) {
                if let file = self.path(node, modelPath.key("init"), what: "model.init") { initFile = (node, modelPath.key("init"), file) } else { valid = false }
            }
        }

        // The data as written.
        var train: WrittenSource?
        var validation: WrittenValidation?
        let dataPath = path.key("data")
        if let node = required(job, "data", "{train: {path: train.csv, target: y}}"),
           let data = diagnostics.mapping(node, dataPath, what: "data", allowed: ["train", "validation"]) {
            if let trainNode = data.value("train") {
                train = dataSource(trainNode, dataPath.key("train"), what: "data.train", seed: common.seed)
            } else {
                diagnostics.report(.missingKey, at: data.node, path: dataPath, "data needs 'train', e.g. train: {path: train.csv, target: y}")
            }
            if let node = data.value("validation"), !isNull(node) {
                validation = self.validation(node, dataPath.key("validation"), seed: common.seed)
                if validation == nil { valid = false }
            }
        }

        // Batching and length.
        var batchSize: Int?
        if let node = job.value("batch_size") {
            batchSize = diagnostics.integer(node, path.key("batch_size"), what: "batch_size")
            if let found = batchSize, !diagnostics.require(found >= 1, node, path.key("batch_size"), "batch_size must be >= 1, got \(found)") { batchSize = nil }
            if batchSize == nil { valid = false }
        }
        func flag(_ key: String, _ fallback: Bool) -> Bool {
            guard let node = job.value(key) else { return fallback }
            guard let found = diagnostics.bool(node, path.key(key), what: key) else {
                valid = false
                return fallback
            }
            return found
        }
        let shuffle = flag("shuffle", true)
        let dropLast = flag("drop_last", false)
        var epochs: Int?
        if let node = job.value("epochs") {
            epochs = diagnostics.integer(node, path.key("epochs"), what: "epochs")
            if let found = epochs, !diagnostics.require(found >= 1, node, path.key("epochs"), "epochs must be >= 1, got \(found)") { epochs = nil }
            if epochs == nil { valid = false }
        }
        var maxSteps: Int?
        if let node = job.value("max_steps") {
            maxSteps = self.maxSteps(node, path.key("max_steps"))
            if maxSteps == nil { valid = false }
        } else if job.value("epochs") == nil {
            diagnostics.report(.missingKey, at: job.node, path: path,
                               "\(job.label) has neither 'epochs' nor 'max_steps' (a model job needs one or both, e.g. epochs: 100)")
            valid = false
        }
        guard loadsData else { return nil }
        // The data is loaded even when other keys have problems, so that its own are reported in the same pass.
        let data = train.flatMap { loadData(train: $0, validation: validation) }
        guard valid, let layers, let data, let optimizer = common.optimizer, let train,
              common.loss != nil || common.unavailable != nil else { return nil }

        // The model against the data, the loss against the targets.
        let features = train.displayName
        guard let model = sequential(layers, inputWidth: data.train.dataset.featureCount, features: features) else { return nil }
        guard model.layout.count > 0 else {
            diagnostics.report(.invalidValue, at: layersNode ?? job.node, path: modelPath.key("layers"),
                               "the model has no parameters to train (add a linear layer)")
            return nil
        }
        if let validationData = data.validation, case .source(let written)? = validation {
            guard checkSameColumns(validationData.dataset, data.train.dataset, written) else { return nil }
        }
        // A loss a failed plugin would have provided is unknown: its targets are taken as floats.
        let classIndices = common.loss.map { ModelTargets.usesClassIndices($0.loss.descriptor, targetWidth: data.train.dataset.targetWidth) } ?? false
        if let loss = common.loss {
            guard checkTargets(loss.loss, options: loss.configuration.options, model: model, layers: layers, data: data, train: train, validation: validation,
                               classIndices: classIndices, job: job) else { return nil }
        }
        var initial: InitialParameters?
        if let initFile {
            guard let read = initialParameters(initFile.file, model: model, node: initFile.node, initFile.path) else { return nil }
            initial = read
        }

        let configuration = ModelConfiguration(
            layers: layers.map(\.component), initialParameters: initial, train: data.train, validation: data.validation,
            batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, epochs: epochs,
            inputWidth: model.inputWidth, outputWidth: model.outputWidth, classIndexTargets: classIndices)
        let perEpoch = configuration.batchesPerEpoch
        guard perEpoch > 0 else {
            let node = job.value("batch_size") ?? job.node
            diagnostics.report(.outOfRange, at: node, path: path.key("batch_size"),
                               "batch_size \(batchSize ?? 0) with drop_last: true leaves no batch: data.train has \(data.train.dataset.rows) rows")
            return nil
        }
        // Without max_steps, epochs x batches per epoch bounds the run.
        let steps = maxSteps ?? epochs!.multipliedReportingOverflow(by: perEpoch).partialValue
        let empty = TensorSpec.literal(Tensor(shape: [0], scalars: []))
        var job = JobConfiguration(
            name: name, enabled: common.enabled, loss: common.loss?.configuration ?? common.unavailable!.configuration,
            initial: empty, target: empty, optimizer: optimizer, scheduler: common.scheduler,
            stopping: StoppingRules(maxSteps: max(steps, 1), tolerance: common.tolerance, patience: common.patience, minDelta: common.minDelta),
            seed: common.seed, source: source, sweep: sweep, unavailable: common.unavailable?.error, model: configuration)
        if let made = madeOptimizer(optimizer) {
            let train = data.train.dataset
            job.memory = .model(optimizer: made, shapes: model.layout.entries.map(\.shape), widths: model.widths,
                                batchSize: min(batchSize ?? train.rows, train.rows), validationRows: data.validation?.dataset.rows ?? 0,
                                dataElements: MemoryEstimate.sum([train.elementCount, data.validation?.dataset.elementCount ?? 0]))
        }
        return job
    }

    private func isNull(_ node: ConfigNode) -> Bool {
        guard let scalar = node.scalar else { return false }
        return ScalarValue(resolving: scalar, tag: node.tag) == .null
    }

    /// `data.validation`: `{split: f}` (f in (0, 1), optional `seed`, default the job's) or a source.
    private func validation(_ node: ConfigNode, _ path: KeyPath, seed: UInt64) -> WrittenValidation? {
        guard case .mapping(let pairs) = node.content, pairs.contains(where: { $0.key.scalar?.text == "split" }) else {
            return dataSource(node, path, what: "data.validation", seed: seed).map(WrittenValidation.source)
        }
        guard let map = diagnostics.mapping(node, path, what: "data.validation (a split)", allowed: ["split", "seed"]),
              let splitNode = map.value("split"),
              let fraction = diagnostics.number(splitNode, path.key("split"), what: "split"),
              diagnostics.require(fraction > 0 && fraction < 1, splitNode, path.key("split"),
                                  "split is the fraction of the training rows held out for validation and must be in (0, 1), got \(ScalarValue.format(fraction))")
        else { return nil }
        var splitSeed = seed
        if let seedNode = map.value("seed") {
            guard let found = diagnostics.integer(seedNode, path.key("seed"), what: "seed"),
                  diagnostics.require(found >= 0, seedNode, path.key("seed"), "seed must be >= 0, got \(found)") else { return nil }
            splitSeed = UInt64(found)
        }
        return .split(fraction: fraction, seed: splitSeed, node: splitNode, path: path.key("split"))
    }

    /// A validation file has the training data's feature and target columns.
    private func checkSameColumns(_ validation: Dataset, _ train: Dataset, _ written: WrittenSource) -> Bool {
        guard validation.featureCount == train.featureCount, validation.targetWidth == train.targetWidth else {
            diagnostics.report(.invalidData, at: written.node, path: written.path,
                               "data.validation has \(validation.featureCount) feature and \(validation.targetWidth) target columns, data.train \(train.featureCount) and \(train.targetWidth)")
            return false
        }
        return true
    }
}
