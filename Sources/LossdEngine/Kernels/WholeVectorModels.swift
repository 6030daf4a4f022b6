// SPDX-License-Identifier: Apache-2.0

/// Model jobs and whole-vector optimizers (``WholeVectorOptimizer``): refused for now.
///
/// A model job's step loop (``ModelKernel``) evaluates one batch per step inside the loop and
/// has no ``Objective`` that an optimizer could evaluate again in the middle of a step (LBFGS),
/// and Adafactor factors the second moment of each 2-D weight by its rows and columns, which
/// needs the model's per-tensor shapes in the optimizer. Until the model kernel offers both, a
/// model job with such an optimizer is refused when it is built and by `lossd check`.
enum WholeVectorModels {
    /// The refusal, naming the optimizer.
    static func kernel<O: WholeVectorOptimizer>(_ optimizer: O, _ setup: ModelKernelSetup) throws(EngineError) -> any JobKernel {
        throw refusal(O.descriptor.name)
    }

    /// Why a model job cannot use the whole-vector optimizer `name`.
    static func refusal(_ name: String) -> EngineError {
        EngineError(.invalidJob, subject: "optimizer",
                    "\(name) trains free-tensor jobs only: a model job's steps cannot evaluate the loss again inside a step "
                        + "(LBFGS) nor factor a weight's second moment by its rows and columns (Adafactor)")
    }
}
