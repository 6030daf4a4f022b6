// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import LossdModel

/// One layer as written and made: its complete options, the layer itself and its nodes.
struct DecodedLayer {
    var component: JobSpec.Component
    var layer: any Layer
    var node: ConfigNode
    var path: KeyPath
    /// The path of its options (`layers[0].Linear`, as written).
    var optionsPath: KeyPath
    /// The nodes of the options written, by name.
    var optionNodes: [String: ConfigNode]
}

extension JobDecoder {
    /// `model.layers`: a list of layer names (`relu`) and one-key mappings of a name to its
    /// options (`{linear: {in_features: 4, out_features: 8}}`); PyTorch class names are aliases.
    func layers(_ node: ConfigNode, _ path: KeyPath) -> [DecodedLayer]? {
        guard let items = diagnostics.sequence(node, path, what: "model.layers") else { return nil }
        guard !items.isEmpty else {
            diagnostics.report(.invalidValue, at: node, path: path, "model.layers is empty; give at least one layer, e.g. [{linear: {in_features: 4, out_features: 1}}]")
            return nil
        }
        var decoded: [DecodedLayer] = []
        var valid = true
        for (index, item) in items.enumerated() {
            if let layer = self.layer(item, path.index(index)) { decoded.append(layer) } else { valid = false }
        }
        return valid ? decoded : nil
    }

    private func layer(_ node: ConfigNode, _ path: KeyPath) -> DecodedLayer? {
        let name: String
        let nameNode: ConfigNode
        var options: [MappingView.Entry] = []
        var optionsPath = path
        switch node.content {
        case .scalar:
            guard let text = diagnostics.string(node, path, what: "a layer") else { return nil }
            name = text
            nameNode = node
        case .mapping(let pairs):
            guard pairs.count == 1, let map = diagnostics.mapping(node, path, what: "a layer"), let entry = map.entries.first else {
                diagnostics.report(.wrongType, at: node, path: path,
                                   "a layer is a name (relu) or a mapping of one name to its options ({linear: {in_features: 4, out_features: 1}}), got a mapping of \(pairs.count) keys")
                return nil
            }
            name = entry.key
            nameNode = entry.keyNode
            optionsPath = path.key(entry.key)
            if let scalar = entry.value.scalar, ScalarValue(resolving: scalar, tag: entry.value.tag) == .null {
                break
            }
            guard let optionMap = diagnostics.mapping(entry.value, optionsPath, what: "the options of layer '\(name)'") else { return nil }
            options = optionMap.entries
        case .sequence:
            diagnostics.report(.wrongType, at: node, path: path,
                               "a layer is a name (relu) or a mapping of one name to its options ({linear: {in_features: 4, out_features: 1}}), got a list")
            return nil
        }
        let registry = registries.layers
        let descriptor: LayerDescriptor
        do throws(ModelError) {
            descriptor = try registry.entry(named: name).descriptor
        } catch {
            diagnostics.report(.unknownLayer, at: nameNode, path: path, error.message)
            return nil
        }
        let names = descriptor.options.map(\.name)
        let read = self.options(options, specs: descriptor.options, optionsPath, owner: descriptor.name) { key in
            "layer \(descriptor.name) has no option '\(key)'" + Suggestions.didYouMean(key, among: names)
                + (names.isEmpty ? " (it takes none)" : " (its options: \(names.joined(separator: ", ")))")
        }
        guard let (values, optionNodes) = read else { return nil }
        do throws(ModelError) {
            let layer = try registry.makeLayer(descriptor.name, options: values)
            var complete: [String: OptionValue] = [:]
            for spec in descriptor.options { complete[spec.name] = values[spec.name] ?? spec.defaultValue }
            return DecodedLayer(component: JobSpec.Component(descriptor.name, options: complete), layer: layer, node: node, path: path,
                                optionsPath: optionsPath, optionNodes: optionNodes)
        } catch {
            let at = optionNodes[error.subject]
            diagnostics.report(at == nil && descriptor.options.contains(where: { $0.name == error.subject }) ? .missingKey : .outOfRange,
                               at: at ?? node, path: at != nil ? optionsPath.key(error.subject) : path,
                               "layer \(descriptor.name): \(error.message)")
            return nil
        }
    }

    /// The model of `layers` for `inputWidth` features, each layer's width checked against its
    /// input: an error points at the layer's `in_features` (or the layer) and names where its
    /// input comes from.
    func sequential(_ layers: [DecodedLayer], inputWidth: Int, features: String) -> Sequential? {
        var width = inputWidth
        for (index, decoded) in layers.enumerated() {
            do throws(ModelError) {
                width = try decoded.layer.outputWidth(inputWidth: width)
            } catch {
                let source = index == 0 ? "the \(inputWidth) feature columns of \(features)"
                    : "the \(width) outputs of layer \(index - 1) (\(layers[index - 1].component.name))"
                let key = decoded.optionNodes[error.subject] != nil ? error.subject : "in_features"
                let at = decoded.optionNodes[key]
                let written = decoded.component.options["in_features"].map { "in_features \($0)" } ?? error.message
                diagnostics.report(.invalidArguments, at: at ?? decoded.node, path: at != nil ? decoded.optionsPath.key(key) : decoded.path,
                                   "layer \(index) (\(decoded.component.name)) has \(written) but its input is \(source)")
                return nil
            }
        }
        do throws(ModelError) {
            return try Sequential(layers: layers.map(\.layer), inputWidth: inputWidth)
        } catch {
            diagnostics.report(.invalidArguments, at: layers[0].node, path: layers[0].path, error.description)
            return nil
        }
    }
}
