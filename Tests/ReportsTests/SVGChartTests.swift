import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import XCTest

/// The charts are well-formed XML (parsed with XMLParser), carry what a reader needs
/// (title, axis labels, legend entries, ticks), and escape hostile labels.
final class SVGChartTests: XCTestCase {
    /// Collects element names and text while parsing; `error` is the parser's error if any.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var texts: [String] = []
        var current = ""
        var pathData: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            current = ""
            if name == "path", let d = attributes["d"] { pathData.append(d) }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let t = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { texts.append(t) }
            current = ""
        }
    }

    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "SVG is not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertEqual(collector.elements.first, "svg", file: file, line: line)
        return collector
    }

    func testROCChartIsWellFormedWithLegendAUCAndDiagonal() {
        let labels = [true, false, true, true, false, false, true, false]
        let chart = StandardCharts.roc(title: "ROC <test> & \"years\"", models: [
            (name: "graph-logistic", labels: labels, scores: [0.9, 0.1, 0.8, 0.4, 0.35, 0.2, 0.7, 0.6]),
            (name: "majority", labels: labels, scores: [Double](repeating: 0.64, count: 8)),
        ])
        let doc = parse(chart.svg)
        XCTAssertTrue(doc.texts.contains("ROC <test> & \"years\""), "\(doc.texts)")
        XCTAssertTrue(doc.texts.contains("false positive rate"))
        XCTAssertTrue(doc.texts.contains("true positive rate"))
        XCTAssertTrue(doc.texts.contains("chance"))
        // AUC of the first model: 15 of 16 positive/negative pairs ranked right.
        XCTAssertTrue(doc.texts.contains("graph-logistic (AUC 0.938)"), "\(doc.texts)")
        XCTAssertTrue(doc.texts.contains("majority (AUC 0.500)"), "\(doc.texts)")
        for tick in ["0", "0.2", "0.4", "0.6", "0.8", "1"] { XCTAssertTrue(doc.texts.contains(tick), tick) }
        XCTAssertEqual(doc.pathData.count, 2)
    }

    func testCalibrationChartShowsBinCountsOfTheFirstModel() {
        let chart = StandardCharts.calibration(title: "Reliability", models: [
            (name: "m", labels: [true, false, true, true], probabilities: [0.05, 0.05, 0.55, 0.95]),
            (name: "other", labels: [true, false, true, true], probabilities: [0.5, 0.5, 0.5, 0.5]),
        ])
        let doc = parse(chart.svg)
        XCTAssertEqual(doc.texts.filter { $0.hasPrefix("n=") }, ["n=2", "n=1", "n=1"])
        XCTAssertTrue(doc.texts.contains("perfectly calibrated"))
        XCTAssertTrue(doc.texts.contains { $0.hasPrefix("m (ECE ") })
    }

    func testLearningCurveAndStepInterpolation() {
        let chart = StandardCharts.learningCurve(title: "Learning curve", epochs: [
            .init(epoch: 1, trainLoss: 0.69, devLoss: 0.67, devAUC: 0.58),
            .init(epoch: 2, trainLoss: 0.62, devLoss: 0.66, devAUC: 0.61),
            .init(epoch: 3, trainLoss: 0.55, devLoss: nil, devAUC: nil),
        ])
        let doc = parse(chart.svg)
        for name in ["train loss", "dev loss", "dev ROC AUC", "epoch"] { XCTAssertTrue(doc.texts.contains(name), name) }
        XCTAssertEqual(doc.pathData.count, 3)

        let step = LineChart(title: "s", xLabel: "x", yLabel: "y",
                             series: [ChartSeries(name: "s", points: [(0, 0), (1, 1)], interpolation: .step)],
                             xAxis: AxisTicks(from: 0, to: 1, step: 0.5), yAxis: AxisTicks(from: 0, to: 1, step: 0.5))
        let path = parse(step.svg).pathData
        // Horizontal to x = 1 at y = 0 first, then up: three points.
        XCTAssertEqual(path.first?.split(separator: "L").count, 3, "\(path)")
    }

    func testNiceTicks() {
        let t = AxisTicks(covering: 0.43, 0.71)
        // Range 0.28 over 5 ticks: raw step 0.056, rounded up to the next 1-2-5 step 0.1.
        XCTAssertEqual(t.step, 0.1, accuracy: 1e-12)
        XCTAssertEqual(t.lower, 0.4, accuracy: 1e-12)
        XCTAssertEqual(t.upper, 0.8, accuracy: 1e-12)
        XCTAssertEqual(t.values.count, 5)
        XCTAssertEqual(SVGText.tick(0.30000000000000004, step: 0.1), "0.3")
        XCTAssertEqual(SVGText.escape("a<b & 'c'\u{1}"), "a&lt;b &amp; &apos;c&apos; ")
    }

    func testMarkdownTableEscapesCells() {
        var table = MarkdownTable(header: ["model", "accuracy"], alignments: [.left, .right])
        table.append(["a|b", "0.700"])
        table.append(["line\nbreak"])
        XCTAssertEqual(table.text, "| model | accuracy |\n| --- | ---: |\n| a\\|b | 0.700 |\n| line break |  |\n")
    }
}
