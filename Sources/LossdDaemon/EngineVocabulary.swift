// SPDX-License-Identifier: Apache-2.0

public import LossdConfig
import LossKit
public import LossdEngine

extension ConfigVocabulary {
    /// The configuration vocabulary of the engine's registries: the same names, options,
    /// defaults and range checks the engine applies, so `lossd check` and the daemon agree.
    public static func engine(_ registries: TrainingRegistries) -> ConfigVocabulary {
        let optimizers = registries.optimizers.entries.map { entry in
            let name = entry.descriptor.name
            return ComponentDescriptor(
                name: name, pytorchName: entry.descriptor.pytorchName, summary: entry.descriptor.summary,
                options: entry.descriptor.options,
                check: { options in problems { () throws(EngineError) in try registries.optimizers.validate(name, options: options) } })
        }
        let schedulers = registries.schedulers.entries.map { entry in
            let name = entry.descriptor.name
            return ComponentDescriptor(
                name: name, pytorchName: entry.descriptor.pytorchName, summary: entry.descriptor.summary,
                options: entry.descriptor.options,
                required: entry.descriptor.options.filter { $0.defaultValue == .null }.map(\.name),
                check: { options in problems { () throws(EngineError) in try registries.schedulers.validate(name, options: options) } })
        }
        return ConfigVocabulary(losses: registries.losses, optimizers: optimizers, schedulers: schedulers)
    }

    private static func problems(_ body: () throws(EngineError) -> Void) -> [OptionProblem] {
        do throws(EngineError) {
            try body()
            return []
        } catch {
            return [OptionProblem(error.subject, error.message)]
        }
    }
}
