import GraphStore

extension LoadReport {
    /// What `build` and `load` print: the load's summary (then `after`, e.g. where a
    /// PostgreSQL load was copied to) and its data-quality report.
    static func show(_ report: LoadReport, after: String = "") {
        Console.text(report.summary + after)
        if let quality = report.quality { Console.text(quality.summary) }
    }
}
