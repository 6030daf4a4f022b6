// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
import LossdTestSupport
import Testing

/// `lossd optimizers` and `lossd schedulers` list every registered optimizer and scheduler, as
/// the built CLI prints them.
@Suite("lossd optimizers and schedulers")
struct ComponentsCommandTests {
    @Test("the table has one row per registered component, in registry order", arguments: ["optimizers", "schedulers"])
    func table(_ command: String) throws {
        let result = try LossdProcess.run([command])
        #expect(result.status == 0, "\(result.stderr)")
        let names = command == "optimizers" ? OptimizerRegistry.builtins.names : SchedulerRegistry.builtins.names
        let rows = result.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").first ?? "") }
        #expect(rows == names)
        #expect(names.count == 13)
    }

    @Test("one component in detail, by its PyTorch name", arguments: [
        ("optimizers", "AdamW", "adamw (torch.optim.AdamW)", "betas (tensor, default [0.9, 0.999])"),
        ("optimizers", "lbfgs", "lbfgs (torch.optim.LBFGS)", "line_search_fn (strong_wolfe, default None)"),
        ("schedulers", "OneCycleLR", "one_cycle_lr (torch.optim.lr_scheduler.OneCycleLR)", "anneal_strategy (cos|linear, default cos)"),
    ])
    func detail(_ command: String, _ name: String, _ title: String, _ option: String) throws {
        let result = try LossdProcess.run([command, name])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix(title + "\n"), "\(result.stdout)")
        #expect(result.stdout.contains("  " + option + ": "), "\(result.stdout)")
    }

    @Test("--json gives every option with its PyTorch default")
    func json() throws {
        let result = try LossdProcess.run(["optimizers", "--json"])
        #expect(result.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == OptimizerRegistry.builtins.names)
        let adam = try #require(list.first { $0["name"] as? String == "adam" })
        let options = try #require(adam["options"] as? [[String: Any]])
        #expect(options.first { $0["name"] as? String == "eps" }?["default"] as? Double == 1e-8)
    }

    @Test("an unknown name is a usage error with suggestions")
    func unknown() throws {
        let result = try LossdProcess.run(["schedulers", "cosine"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown scheduler 'cosine'"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean"), "\(result.stderr)")
    }
}
