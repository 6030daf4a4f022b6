// SPDX-License-Identifier: Apache-2.0

// libFuzzer entry point for the configuration loader: any bytes must give a configuration or
// located errors, never a crash, a hang or unbounded memory. Built and run by run-fuzz.sh
// (swiftc -sanitize=fuzzer,address -parse-as-library), not by `swift build`.

import LossdConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Sound: libFuzzer passes `size` readable bytes at `data` (nil only when size is 0), valid
    // for the duration of the call; they are copied out at once.
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var loader = ConfigLoader(workingDirectory: "/nonexistent")
    loader.readsDropIns = false
    loader.loadsData = false
    // Random tensors are bounded by memory (up to the machine's, if a file says memory_limit:
    // none); their placeholders must stay under the fuzzer's allocation limit.
    loader.limits.maxRandomTensorBytes = 32 << 20
    do throws(ConfigErrors) {
        let configuration = try loader.load(bytes: bytes, name: "fuzz.yaml")
        precondition(configuration.jobs.allSatisfy { !$0.name.isEmpty })
    } catch {
        precondition(!error.errors.isEmpty)
        for problem in error.errors {
            precondition(problem.mark.line >= 1 && problem.mark.column >= 1)
            _ = problem.rendered
        }
    }
    return 0
}
