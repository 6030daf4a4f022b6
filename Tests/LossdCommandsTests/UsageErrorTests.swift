// SPDX-License-Identifier: Apache-2.0

import LossdTestSupport
import Testing

/// Command-line mistakes caught by the argument parser read like every other error:
/// `lossd: error: MESSAGE`, then the usage hint, exit status 64.
@Suite("Usage errors")
struct UsageErrorTests {
    @Test(arguments: [
        (["run"], "Missing expected argument '<config>'", "Usage: lossd run <config>"),
        (["frobnicate"], "Unexpected argument 'frobnicate'", "Usage: lossd <subcommand>"),
        (["run", "c.yaml", "--workers", "0"], "--workers must be between 1 and 1024", "Usage: lossd run <config>"),
        (["status", "--no-such-flag"], "Unknown option '--no-such-flag'", "Usage: lossd status"),
    ])
    func usageErrorsBeginLikeEveryOtherError(arguments: [String], message: String, usage: String) throws {
        let result = try LossdProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("lossd: error: \(message)\n"), "\(result.stderr)")
        #expect(result.stderr.contains(usage), "\(result.stderr)")
        #expect(!result.stderr.contains("Error:"), "\(result.stderr)")
    }
}
