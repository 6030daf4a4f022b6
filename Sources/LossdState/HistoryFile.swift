// SPDX-License-Identifier: Apache-2.0

import CSV
public import LossdEngine
import LossdJSON

/// The text of `history/<job>.csv`, numbers in shortest round-trip form (`NaN`, `Infinity`).
///
/// A free-tensor job's file is `step,loss,grad_norm,lr`, one row per recorded step. A model
/// job's adds four columns, `step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy`: the
/// recorded steps' rows leave them empty, except at a step where an epoch ended, whose row
/// carries that epoch (its number, mean training loss, validation loss and accuracy, each empty
/// when not measured). An epoch that ended at a step with no recorded row gets a row of its own,
/// with `loss` and `grad_norm` empty and `lr` the epoch's. Rows are in increasing step order.
///
/// `lr` is the learning rate the step used (after the scheduler); files written since studies
/// append `lr_configured`, the optimizer's `lr` as configured, on every row, so that the
/// history names the setting a study swept. A job with `metrics` then has one column per
/// metric, named as the metric (`mae`, `rmse`, ...), in the order configured. Columns are only ever appended (other tools read
/// them by position too): a reader takes the known ones and ignores later ones.
public enum HistoryFile {
    static let columns = ["step", "loss", "grad_norm", "lr"]
    static let epochColumns = ["epoch", "train_loss", "val_loss", "accuracy"]
    /// The configured learning rate's column, after the others.
    public static let configuredColumn = "lr_configured"

    /// The file for `rows` and, for a model job, its `epochs` (nil for a free-tensor job), with
    /// an `lr_configured` column when `configuredLearningRate` is given, then one column per name
    /// of `metrics` (the job's configured metrics, in order). A free-tensor job's row carries
    /// the values its point measured (``HistoryPoint/metrics``); a model job's, those of the
    /// epoch that ended there (``EpochRecord/metrics``); a cell is empty where nothing was
    /// measured (the final row of a run that ended between recorded steps, a point restored
    /// from a checkpoint written before the job had metrics).
    public static func text(_ rows: [HistoryRow], epochs: [EpochRecord]?, configuredLearningRate: Double? = nil,
                            metrics: [String] = []) -> String {
        var text = header(model: epochs != nil, configuredLearningRate: configuredLearningRate, metrics: metrics)
        guard epochs != nil else { return text + lines(rows, configuredLearningRate: configuredLearningRate, metricCount: metrics.count) }
        let configured = configuredLearningRate.map { [JSONValue.format($0)] } ?? []
        for line in lines(rows, epochs: epochs) {
            let measured = line.epoch?.metrics ?? []
            let metricCells = measured.count == metrics.count ? measured.map(JSONValue.format) : Array(repeating: "", count: metrics.count)
            text += (line.cells + configured + metricCells).joined(separator: ",") + "\n"
        }
        return text
    }

    /// The header line (with its newline): a model job's adds the epoch columns.
    static func header(model: Bool, configuredLearningRate: Double?, metrics: [String]) -> String {
        var header = columns + (model ? epochColumns : [])
        if configuredLearningRate != nil { header.append(configuredColumn) }
        header += metrics
        return header.joined(separator: ",") + "\n"
    }

    /// The lines of a free-tensor job's `rows` (each with its newline), as ``text(_:epochs:configuredLearningRate:metrics:)``
    /// writes them after the header.
    static func lines(_ rows: some Sequence<HistoryRow>, configuredLearningRate: Double?, metricCount: Int) -> String {
        let configured = configuredLearningRate.map { [JSONValue.format($0)] } ?? []
        var text = ""
        for row in rows {
            let metricCells = row.metrics.count == metricCount ? row.metrics.map(JSONValue.format) : Array(repeating: "", count: metricCount)
            text += (cells(row) + configured + metricCells).joined(separator: ",") + "\n"
        }
        return text
    }

    static func text(_ rows: [HistoryRow], epochs: [EpochRecord]?) -> String {
        text(rows, epochs: epochs, configuredLearningRate: nil)
    }

    /// The data lines: their cells up to `lr` (a model job's up to `accuracy`), with the point and
    /// the epoch each carries.
    private static func lines(_ rows: [HistoryRow], epochs: [EpochRecord]?) -> [(cells: [String], row: HistoryRow?, epoch: EpochRecord?)] {
        guard let epochs else { return rows.map { (cells($0), $0, nil) } }
        var lines: [(cells: [String], row: HistoryRow?, epoch: EpochRecord?)] = []
        var (r, e) = (0, 0)
        while r < rows.count || e < epochs.count {
            let row = r < rows.count ? rows[r] : nil
            let epoch = e < epochs.count ? epochs[e] : nil
            if let row, epoch.map({ row.step <= $0.step }) ?? true {
                r += 1
                if let epoch, epoch.step == row.step {
                    lines.append((cells(row) + cells(epoch), row, epoch))
                    e += 1
                } else {
                    lines.append((cells(row) + ["", "", "", ""], row, nil))
                }
            } else {
                let epoch = epoch!
                lines.append((["\(epoch.step)", "", "", JSONValue.format(epoch.learningRate)] + cells(epoch), nil, epoch))
                e += 1
            }
        }
        return lines
    }

    private static func cells(_ row: HistoryRow) -> [String] {
        ["\(row.step)", JSONValue.format(row.loss), JSONValue.format(row.gradientNorm), JSONValue.format(row.learningRate)]
    }

    private static func cells(_ epoch: EpochRecord) -> [String] {
        ["\(epoch.epoch)", JSONValue.format(epoch.trainLoss), epoch.validationLoss.map(JSONValue.format) ?? "",
         epoch.accuracy.map(JSONValue.format) ?? ""]
    }

    /// Reads either form back: the recorded steps and, for a model job's file, its epochs.
    public static func parse(_ text: String, path: String) throws(StateReader.ReadError) -> (rows: [HistoryRow], epochs: [EpochRecord]?) {
        func invalid(_ reason: String) -> StateReader.ReadError { StateReader.ReadError(kind: .invalid, path: path, reason: reason) }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch { throw invalid("not CSV: \(error)") }
        let header = reader.headerRow ?? []
        let model = header.starts(with: columns + epochColumns)
        // Later columns are appended after these (lr_configured, metrics); a model job's epoch
        // columns come whole, right after lr.
        guard model || (header.starts(with: columns) && !header.contains(epochColumns[0])) else {
            throw invalid("the header is not \(columns.joined(separator: ",")) (with \(epochColumns.joined(separator: ",")) for a model job)")
        }
        let width = header.count
        var rows: [HistoryRow] = []
        var epochs: [EpochRecord] = []
        var lastStep = -1
        var line = 1
        while let fields = reader.next() {
            line += 1
            let found = fields.joined(separator: ",")
            let expected = "line \(line): expected \(reader.headerRow!.joined(separator: ",")) numbers, found \(found)"
            guard fields.count == width, let step = Int(fields[0]), step >= 0, let rate = Double(fields[3]) else {
                throw invalid(expected)
            }
            if step <= lastStep { throw invalid("line \(line): step \(step) does not follow step \(lastStep)") }
            lastStep = step
            if !model || !fields[1].isEmpty {
                guard let loss = Double(fields[1]), let norm = Double(fields[2]) else { throw invalid(expected) }
                rows.append(HistoryRow(step: step, loss: loss, gradientNorm: norm, learningRate: rate))
            }
            guard model, !fields[4].isEmpty else { continue }
            func optional(_ cell: String) -> Double?? { cell.isEmpty ? .some(nil) : Double(cell).map { .some($0) } }
            guard let epoch = Int(fields[4]), epoch >= 1, let trainLoss = Double(fields[5]),
                  let validation = optional(fields[6]), let accuracy = optional(fields[7]) else {
                throw invalid(expected)
            }
            epochs.append(EpochRecord(epoch: epoch, step: step, trainLoss: trainLoss, validationLoss: validation,
                                      accuracy: accuracy, learningRate: rate))
        }
        if let error = reader.error { throw invalid("line \(line + 1): \(error)") }
        return (rows, model ? epochs : nil)
    }
}
