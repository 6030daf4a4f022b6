// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData

/// `data.validation` as written.
enum WrittenValidation {
    /// `{split: fraction}` (with an optional `seed`) of the training data.
    case split(fraction: Double, seed: UInt64, node: ConfigNode, path: KeyPath)
    /// A source of its own.
    case source(WrittenSource)
}

extension JobDecoder {
    /// The training and validation data of a job, loaded through the ``DatasetLoader`` once per
    /// load whatever the number of jobs that use them; nil (reported) when loading fails. Data
    /// errors are reported at the YAML node they concern (the column, the file, the generator
    /// setting), their message naming the data file, line and column.
    func loadData(train: WrittenSource, validation: WrittenValidation?) -> (train: LoadedData, validation: LoadedData?)? {
        switch validation {
        case .split(let fraction, let seed, let node, let path)?:
            guard let parts = load(DataRequest(source: train.source, split: .init(fraction: fraction, seed: seed)), train,
                                   splitNode: (node, path)) else { return nil }
            return (parts[0], parts[1])
        case .source(let written)?:
            let trained = load(DataRequest(source: train.source, split: nil), train)
            let validated = load(DataRequest(source: written.source, split: nil), written)
            guard let trained, let validated else { return nil }
            return (trained[0], validated[0])
        case nil:
            guard let trained = load(DataRequest(source: train.source, split: nil), train) else { return nil }
            return (trained[0], nil)
        }
    }

    /// The data of `request` (one dataset, or a split's training and validation parts), or nil
    /// (reported at `splitNode` for a split the data cannot take, else at the source's nodes).
    private func load(_ request: DataRequest, _ written: WrittenSource, splitNode: (ConfigNode, KeyPath)? = nil) -> [LoadedData]? {
        let result: Result<[LoadedData], DataProblem>
        if let cached = loadedCache[request] {
            result = cached
        } else {
            do throws(DataProblem) {
                result = .success(try read(request, written))
            } catch {
                result = .failure(error)
            }
            loadedCache[request] = result
        }
        switch result {
        case .success(let parts):
            return parts
        case .failure(let problem):
            let (node, path) = problem.bySplit ? splitNode ?? (written.node, written.path) : self.node(for: problem.error, in: written)
            diagnostics.report(problem.bySplit ? .outOfRange : code(of: problem.error), at: node, path: path, rendered(problem.error, written))
            return nil
        }
    }

    private func read(_ request: DataRequest, _ written: WrittenSource) throws(DataProblem) -> [LoadedData] {
        let whole: Dataset
        do throws(DataError) {
            whole = try datasets.load(request.source)
        } catch {
            throw DataProblem(error: error)
        }
        guard let split = request.split else {
            return [LoadedData(origin: .whole(request.source), display: written.displayName, dataset: whole, digest: DataDigest.of(whole))]
        }
        // The whole set is held only while it is split (the loader then shares it with the split);
        // the jobs keep the parts alone.
        do throws(DataError) {
            let (train, validation) = try withExtendedLifetime(whole) { () throws(DataError) in
                try datasets.split(request.source, validationFraction: split.fraction, seed: split.seed)
            }
            return [
                LoadedData(origin: .splitTrain(request.source, fraction: split.fraction, seed: split.seed), display: written.displayName,
                           dataset: train, digest: DataDigest.of(train)),
                LoadedData(origin: .splitValidation(request.source, fraction: split.fraction, seed: split.seed), display: written.displayName,
                           dataset: validation, digest: DataDigest.of(validation)),
            ]
        } catch {
            throw DataProblem(error: error, bySplit: true)
        }
    }

    /// A data error as shown: the file as the user wrote it (relative to the working directory).
    func rendered(_ error: DataError, _ written: WrittenSource) -> String {
        var shown = error
        if let file = error.file, let display = written.display[file] { shown.file = display }
        var text = shown.description
        for (absolute, display) in written.display { text = text.replacingOccurrences(of: absolute, with: display) }
        return text
    }

    /// The node an error points at: the column's, the file's or the generator setting's, else the source.
    private func node(for error: DataError, in written: WrittenSource) -> (ConfigNode, KeyPath) {
        if let column = error.column, let found = written.columnNodes[column] { return (found.node, found.path) }
        if let file = error.file, let found = written.columnNodes[file] { return (found.node, found.path) }
        for (key, found) in written.settingNodes where error.message.hasPrefix(key + " ") || error.message.hasPrefix(key.replacingOccurrences(of: "_", with: " ")) {
            return (found.node, found.path)
        }
        return (written.node, written.path)
    }

    private func code(of error: DataError) -> ConfigError.Code {
        switch error.code {
        case .unreadable: .unreadable
        case .tooLarge: .limit
        case .missingColumn: .missingKey
        case .invalidArgument: .outOfRange
        default: .invalidValue
        }
    }
}

extension String {
    /// The text with every occurrence of `target` replaced by `replacement`.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
