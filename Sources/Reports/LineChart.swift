import Foundation

/// One named line of a chart.
public struct ChartSeries: Sendable {
    /// How consecutive points are joined.
    public enum Interpolation: Sendable {
        /// Straight segments.
        case linear
        /// Horizontal then vertical (a value holds until the next point).
        case step
    }

    public var name: String
    public var points: [(x: Double, y: Double)]
    public var interpolation: Interpolation
    public var showsMarkers: Bool
    public var dashed: Bool
    /// Short labels drawn above the points (bin counts), one per point or empty.
    public var pointLabels: [String]
    /// CSS colour; nil takes the next colour of the palette.
    public var color: String?

    public init(name: String, points: [(x: Double, y: Double)], interpolation: Interpolation = .linear, showsMarkers: Bool = false,
                dashed: Bool = false, pointLabels: [String] = [], color: String? = nil) {
        self.name = name
        self.points = points
        self.interpolation = interpolation
        self.showsMarkers = showsMarkers
        self.dashed = dashed
        self.pointLabels = pointLabels
        self.color = color
    }
}

/// A line or step chart as a self-contained SVG document: a title, axes with ticks and
/// labels, any number of series, an optional y = x reference diagonal, and a legend.
/// Hand-written SVG 1.1 (no scripts, no external resources), so a report opens anywhere.
public struct LineChart: Sendable {
    public enum LegendPosition: Sendable { case topLeft, topRight, bottomLeft, bottomRight }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    /// Fixed axes (e.g. probabilities on [0, 1]); nil fits the ticks to the data.
    public var xAxis: AxisTicks?
    public var yAxis: AxisTicks?
    /// Draws the y = x line (chance for ROC, perfect calibration for reliability).
    public var diagonal: String?
    public var legendPosition: LegendPosition
    public var width: Double = 640
    public var height: Double = 440

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"]

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries], xAxis: AxisTicks? = nil, yAxis: AxisTicks? = nil,
                diagonal: String? = nil, legendPosition: LegendPosition = .topRight) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.diagonal = diagonal
        self.legendPosition = legendPosition
    }

    // Plot area margins.
    private let left = 64.0, right = 20.0, top = 40.0, bottom = 56.0

    /// The chart as an SVG document.
    public var svg: String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = xAxis ?? AxisTicks(covering: finite.map(\.x).min() ?? 0, finite.map(\.x).max() ?? 1)
        let ys = yAxis ?? AxisTicks(covering: finite.map(\.y).min() ?? 0, finite.map(\.y).max() ?? 1)
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xs.lower) / max(xs.upper - xs.lower, 1e-300) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - ys.lower) / max(ys.upper - ys.lower, 1e-300) * plotH }
        let c = SVGText.coordinate, e = SVGText.escape

        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(c(width))" height="\(c(height))" viewBox="0 0 \(c(width)) \(c(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(c(width))" height="\(c(height))" fill="white"/>
            <text x="\(c(width / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(e(title))</text>

            """
        // Grid and ticks.
        out += "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for t in xs.values { out += "<line x1=\"\(c(px(t)))\" y1=\"\(c(top))\" x2=\"\(c(px(t)))\" y2=\"\(c(top + plotH))\"/>\n" }
        for t in ys.values { out += "<line x1=\"\(c(left))\" y1=\"\(c(py(t)))\" x2=\"\(c(left + plotW))\" y2=\"\(c(py(t)))\"/>\n" }
        out += "</g>\n<g class=\"axes\" stroke=\"black\" stroke-width=\"1\">\n"
        out += "<line x1=\"\(c(left))\" y1=\"\(c(top + plotH))\" x2=\"\(c(left + plotW))\" y2=\"\(c(top + plotH))\"/>\n"
        out += "<line x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(top + plotH))\"/>\n"
        for t in xs.values { out += "<line x1=\"\(c(px(t)))\" y1=\"\(c(top + plotH))\" x2=\"\(c(px(t)))\" y2=\"\(c(top + plotH + 5))\"/>\n" }
        for t in ys.values { out += "<line x1=\"\(c(left - 5))\" y1=\"\(c(py(t)))\" x2=\"\(c(left))\" y2=\"\(c(py(t)))\"/>\n" }
        out += "</g>\n<g class=\"tick-labels\" fill=\"#333\">\n"
        for t in xs.values {
            out += "<text x=\"\(c(px(t)))\" y=\"\(c(top + plotH + 18))\" text-anchor=\"middle\">\(e(SVGText.tick(t, step: xs.step)))</text>\n"
        }
        for t in ys.values {
            out += "<text x=\"\(c(left - 8))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\">\(e(SVGText.tick(t, step: ys.step)))</text>\n"
        }
        out += "</g>\n"
        out += "<text x=\"\(c(left + plotW / 2))\" y=\"\(c(height - 14))\" text-anchor=\"middle\">\(e(xLabel))</text>\n"
        out += "<text x=\"16\" y=\"\(c(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(c(top + plotH / 2)))\">\(e(yLabel))</text>\n"

        // Series, clipped to the plot area.
        out += "<clipPath id=\"plot-area\"><rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/></clipPath>\n"
        out += "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\">\n"
        if diagonal != nil {
            let lo = max(xs.lower, ys.lower), hi = min(xs.upper, ys.upper)
            out += "<line x1=\"\(c(px(lo)))\" y1=\"\(c(py(lo)))\" x2=\"\(c(px(hi)))\" y2=\"\(c(py(hi)))\" stroke=\"#999\" stroke-width=\"1\" stroke-dasharray=\"4 4\"/>\n"
        }
        let colors = colorsOfSeries
        for (s, color) in zip(series, colors) {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !points.isEmpty else { continue }
            var d = "M\(c(px(points[0].x))) \(c(py(points[0].y)))"
            for k in 1..<max(1, points.count) where k < points.count {
                if s.interpolation == .step { d += " L\(c(px(points[k].x))) \(c(py(points[k - 1].y)))" }
                d += " L\(c(px(points[k].x))) \(c(py(points[k].y)))"
            }
            out += "<path d=\"\(d)\" stroke=\"\(e(color))\"\(s.dashed ? " stroke-dasharray=\"6 3\"" : "")><title>\(e(s.name))</title></path>\n"
            if s.showsMarkers {
                for p in points { out += "<circle cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"3\" fill=\"\(e(color))\" stroke=\"none\"/>\n" }
            }
        }
        out += "</g>\n"
        for (s, color) in zip(series, colors) where !s.pointLabels.isEmpty {
            out += "<g class=\"point-labels\" font-size=\"10\" fill=\"\(e(color))\" text-anchor=\"middle\">\n"
            for (p, label) in zip(s.points, s.pointLabels) where p.x.isFinite && p.y.isFinite && !label.isEmpty {
                out += "<text x=\"\(c(px(p.x)))\" y=\"\(c(py(p.y) - 7))\">\(e(label))</text>\n"
            }
            out += "</g>\n"
        }
        out += legend(colors: colors, plotW: plotW, plotH: plotH)
        out += "</svg>\n"
        return out
    }

    private var colorsOfSeries: [String] {
        var next = 0
        return series.map { s in
            if let color = s.color { return color }
            defer { next += 1 }
            return LineChart.palette[next % LineChart.palette.count]
        }
    }

    private func legend(colors: [String], plotW: Double, plotH: Double) -> String {
        var entries = zip(series, colors).map { pair in (pair.0.name, pair.1, pair.0.dashed) }
        if let diagonal { entries.append((diagonal, "#999", true)) }
        guard !entries.isEmpty else { return "" }
        let c = SVGText.coordinate, e = SVGText.escape
        let rowH = 16.0
        let boxW = min(plotW - 8, 34 + 6.6 * Double(entries.map(\.0.count).max() ?? 0))
        let boxH = rowH * Double(entries.count) + 8
        let x: Double, y: Double
        switch legendPosition {
        case .topLeft: (x, y) = (left + 8, top + 8)
        case .topRight: (x, y) = (left + plotW - boxW - 8, top + 8)
        case .bottomLeft: (x, y) = (left + 8, top + plotH - boxH - 8)
        case .bottomRight: (x, y) = (left + plotW - boxW - 8, top + plotH - boxH - 8)
        }
        var out = "<g class=\"legend\">\n<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(boxW))\" height=\"\(c(boxH))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
        for (k, entry) in entries.enumerated() {
            let ly = y + 4 + rowH * (Double(k) + 0.5)
            out += "<line x1=\"\(c(x + 6))\" y1=\"\(c(ly))\" x2=\"\(c(x + 26))\" y2=\"\(c(ly))\" stroke=\"\(e(entry.1))\" stroke-width=\"2\"\(entry.2 ? " stroke-dasharray=\"4 3\"" : "")/>\n"
            out += "<text x=\"\(c(x + 32))\" y=\"\(c(ly + 4))\">\(e(entry.0))</text>\n"
        }
        return out + "</g>\n"
    }
}
