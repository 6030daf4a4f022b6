// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdTestSupport
import Testing

/// `lossd plot` and the daemon's per-job charts on the seed run, checked against the histories.
@Suite("lossd plot")
struct PlotCommandTests {
    /// Checks that every job's polyline is its history drawn on shared axes: x an affine function
    /// of the step and y of log10(loss), the same for every job, with every point in the frame.
    static func expectCurvesMatchHistories(_ chart: SVGChart, jobs: [String], directory: String) throws {
        var pairs: [(x: Double, y: Double, step: Double, logLoss: Double)] = []
        for job in jobs {
            let history = try SeedState.history(job, in: directory)
            let lines = chart.lines(of: job)
            #expect(lines.count == 1, "\(job): one polyline")
            let points = try #require(lines.first).points
            #expect(points.count == history.count, "\(job): \(points.count) points for \(history.count) rows")
            for (point, row) in zip(points, history) where row.loss > 0 {
                pairs.append((point.x, point.y, Double(row.step), log10(row.loss)))
            }
        }
        let byStep = pairs.sorted { $0.step < $1.step }, byLoss = pairs.sorted { $0.logLoss < $1.logLoss }
        let (low, high) = (try #require(byStep.first), try #require(byStep.last))
        let xScale = (high.x - low.x) / (high.step - low.step)
        let (bottom, top) = (try #require(byLoss.first), try #require(byLoss.last))
        let yScale = (top.y - bottom.y) / (top.logLoss - bottom.logLoss)
        #expect(xScale > 0 && yScale < 0, "steps go right, larger losses go up")
        let frame = chart.frame
        for pair in pairs {
            #expect(abs(pair.x - (low.x + (pair.step - low.step) * xScale)) < 0.02, "x of step \(pair.step)")
            #expect(abs(pair.y - (bottom.y + (pair.logLoss - bottom.logLoss) * yScale)) < 0.02, "y of log loss \(pair.logLoss)")
            #expect(pair.x >= frame.x && pair.x <= frame.x + frame.width + 0.01)
            #expect(pair.y >= frame.y - 0.01 && pair.y <= frame.y + frame.height + 0.01)
        }
    }

    @Test func seedRunOnOneChart() throws {
        let output = NSTemporaryDirectory() + "lossd-plot-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try LossdProcess.run(["plot", "--state-dir", SeedState.directory, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let chart = try SVGChart(parsing: try String(contentsOfFile: output, encoding: .utf8))
        #expect(chart.title == "lossd: 4 jobs")
        #expect(Set(chart.legend.map(\.job)) == Set(SeedState.jobs))
        #expect(chart.legend.first { $0.job == "seed-mse" }?.texts == ["seed-mse", "converged at step 35, loss 7.428e-10"])
        #expect(chart.texts.contains("step") && chart.texts.contains("loss (log scale)"))
        try Self.expectCurvesMatchHistories(chart, jobs: SeedState.jobs, directory: SeedState.directory)
    }

    @Test func standardOutputSelectionTitleAndScale() throws {
        let result = try LossdProcess.run(["plot", "seed-cross*", "--state-dir", SeedState.directory, "--title", "CE & friends",
                                           "--scale", "linear", "--width", "800", "--height", "400"])
        #expect(result.status == 0, "\(result.stderr)")
        let chart = try SVGChart(parsing: result.stdout)
        #expect(chart.title == "CE & friends")
        #expect(chart.legend.map(\.job) == ["seed-cross-entropy", "seed-cross-entropy-probabilities"])
        #expect(chart.texts.contains("loss"))
        #expect(chart.width == 800 && chart.height == 400)
        // Linear: y is an affine function of the loss itself.
        let points = try #require(chart.lines(of: "seed-cross-entropy").first).points
        let history = try SeedState.history("seed-cross-entropy")
        let scale = (points.last!.y - points[0].y) / (history.last!.loss - history[0].loss)
        for (point, row) in zip(points, history) {
            #expect(abs(point.y - (points[0].y + (row.loss - history[0].loss) * scale)) < 0.02)
        }
        let single = try LossdProcess.run(["plot", "seed-mse", "--state-dir", SeedState.directory])
        #expect(try SVGChart(parsing: single.stdout).title == "lossd job seed-mse")
    }

    @Test func daemonDrawsEachJobsChartWhenItEnds() throws {
        for job in SeedState.jobs {
            let path = "\(SeedState.directory)/charts/\(job).svg"
            let chart = try SVGChart(parsing: try String(contentsOfFile: path, encoding: .utf8))
            #expect(chart.title == "lossd job \(job)")
            #expect(chart.legend.map(\.job) == [job])
            try Self.expectCurvesMatchHistories(chart, jobs: [job], directory: SeedState.directory)
        }
        let mse = try String(contentsOfFile: "\(SeedState.directory)/charts/seed-mse.svg", encoding: .utf8)
        #expect(mse.contains("mse, sgd: converged (tolerance) at step 35 with loss 7.428e-10"))
    }

    @Test func sweepNameSelectsItsJobs() throws {
        let state = NSTemporaryDirectory() + "lossd-plot-sweep-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        try FileManager.default.createDirectory(atPath: state + "/history", withIntermediateDirectories: true)
        for name in ["grid.lr-0.1", "grid.lr-1.0", "gridiron", "other"] {
            try "step,loss,grad_norm,lr\n1,2.0,1.0,0.1\n2,1.0,1.0,0.1\n".write(toFile: "\(state)/history/\(name).csv", atomically: true, encoding: .utf8)
        }
        let result = try LossdProcess.run(["plot", "grid", "--state-dir", state])
        #expect(result.status == 0, "\(result.stderr)")
        let chart = try SVGChart(parsing: result.stdout)
        #expect(chart.legend.map(\.job) == ["grid.lr-0.1", "grid.lr-1.0"])
        #expect(chart.title == "lossd sweep grid (2 jobs)")
        // Without a result or status file a job's legend has no second line.
        #expect(chart.legend[0].texts == ["grid.lr-0.1"])
    }

    @Test func pngThroughRsvgConvert() throws {
        let output = NSTemporaryDirectory() + "lossd-plot-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: output) }
        // Without rsvg-convert on the PATH: EX_UNAVAILABLE with the package to install.
        let missing = try LossdProcess.run(["plot", "--state-dir", SeedState.directory, "-o", output], environment: ["PATH": "/nonexistent"])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("PNG output needs rsvg-convert (Debian and Ubuntu: apt-get install librsvg2-bin)"))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") else { return }
        let result = try LossdProcess.run(["plot", "--state-dir", SeedState.directory, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: the canvas size.
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 960 && height == 540)
    }

    @Test func errors() throws {
        let empty = NSTemporaryDirectory() + "lossd-plot-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let broken = try SeedState.copy("plot-broken")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try "step,loss,grad_norm,lr\n1,oops,1,1\n".write(toFile: broken + "/history/seed-mse.csv", atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["plot", "seed-mes", "--state-dir", SeedState.directory], 64, "no job matches 'seed-mes', did you mean 'seed-mse'?"),
            (["plot", "--state-dir", empty + "/nope"], 66, "no state directory at \(empty)/nope"),
            (["plot", "--state-dir", empty], 66, "no job in \(empty) has a history yet"),
            (["plot", "seed-mse", "--state-dir", broken], 65, "history/seed-mse.csv: line 2: expected step,loss,grad_norm,lr numbers"),
            (["plot", "--state-dir", SeedState.directory, "-o", "chart.pdf"], 64, "--output must end in .svg or .png"),
            (["plot", "--state-dir", SeedState.directory, "--width", "10"], 64, "--width must be 320...10000"),
            (["plot", "--state-dir", SeedState.directory, "--scale", "cubic"], 64, "cubic"),
            (["plot", "--state-dir", SeedState.directory, "--config", "x.yaml"], 64, "give --state-dir or --config, not both"),
            (["plot", "--state-dir", SeedState.directory, "-o", empty + "/no/such/dir/chart.svg"], 73, "cannot write \(empty)/no/such/dir/chart.svg"),
        ]
        for (arguments, status, message) in cases {
            let result = try LossdProcess.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
