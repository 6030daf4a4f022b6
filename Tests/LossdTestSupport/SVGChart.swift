// SPDX-License-Identifier: Apache-2.0

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A lossd chart read back with Foundation's XML parser, for tests: parsing it at all checks
/// that the SVG is well-formed XML; the fields are what the tests compare with the data.
public struct SVGChart: Sendable {
    /// One drawn line.
    public struct Line: Sendable {
        public var job: String
        public var stroke: String
        public var points: [(x: Double, y: Double)]
    }

    public var width: Double = 0
    public var height: Double = 0
    public var title = ""
    /// The plot frame: x, y, width, height.
    public var frame: (x: Double, y: Double, width: Double, height: Double) = (0, 0, 0, 0)
    public var lines: [Line] = []
    /// Legend entries in order: the job and the entry's texts.
    public var legend: [(job: String, texts: [String])] = []
    /// Every text element's content, in document order.
    public var texts: [String] = []
    /// Every element name used.
    public var elements: Set<String> = []
    /// Every attribute name used.
    public var attributes: Set<String> = []

    /// Parses `text`; throws when it is not well-formed XML or not an SVG document.
    public init(parsing text: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw SVGChartError(message: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)")
        }
        guard delegate.chart.elements.contains("svg") else { throw SVGChartError(message: "no <svg> element") }
        self = delegate.chart
    }

    /// The lines of `job` (one per run of finite points).
    public func lines(of job: String) -> [Line] { lines.filter { $0.job == job } }
}

public struct SVGChartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

private final class Collector: NSObject, XMLParserDelegate {
    var chart = SVGChart(empty: ())
    var stack: [String] = []
    var text = ""
    var legendJob: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        stack.append(name)
        chart.elements.insert(name)
        chart.attributes.formUnion(attributes.keys)
        text = ""
        func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
        switch name {
        case "svg":
            chart.width = number("width")
            chart.height = number("height")
        case "rect" where attributes["class"] == "frame":
            chart.frame = (number("x"), number("y"), number("width"), number("height"))
        case "polyline":
            let points = (attributes["points"] ?? "").split(separator: " ").map { pair -> (x: Double, y: Double) in
                let parts = pair.split(separator: ",")
                return (Double(parts.first ?? "") ?? .nan, Double(parts.last ?? "") ?? .nan)
            }
            chart.lines.append(.init(job: attributes["data-job"] ?? "", stroke: attributes["stroke"] ?? "", points: points))
        case "g" where attributes["class"] == "entry":
            legendJob = attributes["data-job"]
            chart.legend.append((attributes["data-job"] ?? "", []))
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
        if name == "title", stack == ["svg"] { chart.title = text }
        if name == "text" {
            chart.texts.append(text)
            if legendJob != nil, !chart.legend.isEmpty { chart.legend[chart.legend.count - 1].texts.append(text) }
        }
        if name == "g", legendJob != nil, stack.last == "g" { legendJob = nil }
        text = ""
    }
}

extension SVGChart {
    fileprivate init(empty: Void) {}
}
