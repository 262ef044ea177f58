import GraphStore

extension LoadReport {
    /// What `build` and `load` print: the load's summary and its data-quality report,
    /// then `after` (where a PostgreSQL load was copied to) as the last line.
    static func show(_ report: LoadReport, after: String? = nil) {
        Console.text(report.summary)
        if let quality = report.quality { Console.text(quality.summary) }
        if let after { Console.text(after) }
    }
}
