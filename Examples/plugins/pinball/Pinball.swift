// SPDX-License-Identifier: Apache-2.0

// liblossd-pinball: the pinball (quantile) loss as a lossd plugin written in Swift, exported
// through `@_cdecl`. It shows that any language with a C ABI can implement lossd/plugin.h.
//
//     Per element:  d_i = y_i - x_i ,   l_i = max(q d_i, (q - 1) d_i)        (q = quantile in (0, 1))
//     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
//     Gradient:     dL/dx_i = s * (-q if d_i > 0 ; 1 - q if d_i < 0 ; 0 if d_i == 0)
//                   dL/dy_i = -dL/dx_i ,   s = 1/N (mean) or 1
//
// Minimising it fits x to the q-th quantile of the targets; q = 0.5 is half the absolute error.
// At d_i == 0 the subgradient 0 is taken, as PyTorch does for `l1`.

public import CLossdPlugin

// MARK: - The loss

/// Reads the call's buffers and writes the output and the requested gradients.
private func pinballCompute(_ pointer: UnsafePointer<lossd_call>?) -> Int32 {
    guard let call = pointer?.pointee else { return LOSSD_ERROR }
    // Sound: lossd/plugin.h guarantees options[0] (quantile), `count` elements in input and
    // target and in each non-NULL gradient, and 1 or `count` elements in output.
    let q = call.options[0].f
    let n = Int(call.count)
    let scale = call.reduction == LOSSD_REDUCTION_MEAN ? 1.0 / Double(n) : 1.0
    var total = 0.0
    for i in 0..<n {
        let d = call.target[i] - call.input[i]
        let value = max(q * d, (q - 1) * d)
        let slope = d > 0 ? -q : (d < 0 ? 1 - q : 0)
        if call.reduction == LOSSD_REDUCTION_NONE { call.output[i] = value } else { total += value }
        call.grad_input?[i] = slope * scale
        call.grad_target?[i] = -slope * scale
    }
    if call.reduction == LOSSD_REDUCTION_MEAN { call.output[0] = total / Double(n) }
    if call.reduction == LOSSD_REDUCTION_SUM { call.output[0] = total }
    return LOSSD_OK
}

/// `quantile` must lie strictly between 0 and 1.
private func pinballCheckOptions(_ context: UnsafeRawPointer?, _ options: UnsafePointer<lossd_value>?,
                                 _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int32 {
    // Sound: options holds one value per declared option (one here).
    guard let q = options?[0].f else { return LOSSD_ERROR }
    guard q > 0, q < 1 else { return fail(error, size, "option 'quantile' must be in (0, 1), got \(q)") }
    return LOSSD_OK
}

/// Copies `message` (truncated, NUL-terminated) into lossd's error buffer; returns LOSSD_ERROR.
private func fail(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ message: String) -> Int32 {
    guard let buffer, size > 0 else { return LOSSD_ERROR }
    var count = 0
    // Sound: writes at most size - 1 bytes and the NUL into the `size`-byte buffer.
    for byte in message.utf8 where count < size - 1 {
        buffer[count] = CChar(bitPattern: byte)
        count += 1
    }
    buffer[count] = 0
    return LOSSD_ERROR
}

// MARK: - The descriptor

/// A C string in static memory (string literals are never freed).
private func text(_ literal: StaticString) -> UnsafePointer<CChar> {
    // Sound: a StaticString literal's UTF-8 bytes are NUL-terminated and live as long as the image.
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Allocates the descriptor once; lossd/plugin.h wants it valid while the library is loaded.
private func makeDescriptor() -> UnsafePointer<lossd_plugin> {
    let options = UnsafeMutablePointer<lossd_option>.allocate(capacity: 1)
    options.initialize(to: lossd_option(
        name: text("quantile"), description: text("the quantile q fitted, in (0, 1); 0.5 fits the median"),
        type: LOSSD_OPTION_FLOAT.rawValue, default_value: lossd_value(f: 0.5)))
    let losses = UnsafeMutablePointer<lossd_loss>.allocate(capacity: 1)
    losses.initialize(to: lossd_loss(
        name: text("pinball"), description: text("pinball (quantile) loss max(q (y - x), (q - 1) (y - x))"),
        flags: LOSSD_LOSS_TARGET_DIFFERENTIABLE, default_reduction: LOSSD_REDUCTION_MEAN,
        option_count: 1, options: UnsafePointer(options),
        compute: pinballCompute, check_options: pinballCheckOptions, context: nil))
    let plugin = UnsafeMutablePointer<lossd_plugin>.allocate(capacity: 1)
    plugin.initialize(to: lossd_plugin(
        abi_version: LOSSD_PLUGIN_ABI_VERSION, name: text("lossd-pinball"), version: text("1.0"),
        loss_count: 1, losses: UnsafePointer(losses)))
    return UnsafePointer(plugin)
}

/// Initialised on first use (Swift globals are lazy and thread-safe) and never freed.
// Sound: written once by the initialiser, then only read.
nonisolated(unsafe) private let descriptor = makeDescriptor()

/// The entry point lossd looks up: `const lossd_plugin *lossd_plugin_entry(void)`.
@_cdecl("lossd_plugin_entry")
public func lossdPluginEntry() -> UnsafePointer<lossd_plugin> {
    descriptor
}
