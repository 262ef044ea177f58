import Foundation

/// The ways a lawyer writes an identifier, brought to the forms the graph stores.
///
/// The store keeps each identifier in one canonical spelling (the ontology's formats:
/// `568 U.S. 23` in `us_cite`, `568US23` in `usid`, upper-case ECLIs, bare application
/// numbers), but people type `568 US 23`, `568us23`, `scotus:568US23`, `ecli:ce:echr:...`
/// or `no. 4143/02`. `candidates(for:)` lists the spellings worth looking up, most
/// literal first; looking one up that no node has costs one index probe.
enum IdentifierForms {
    /// Distinct candidate spellings of `text` (trimmed), the text itself first.
    static func candidates(for text: String) -> [String] {
        var out: [String] = []
        func add(_ s: String) { if !s.isEmpty, !out.contains(s) { out.append(s) } }
        for variant in withoutKeyPrefixes(text) {
            add(variant)
            if let cite = usReports(variant) { add(cite.reports); add(cite.usid) }
            if variant.prefix(5).uppercased() == "ECLI:" { add(variant.uppercased()) }
            if let number = applicationNumber(variant) { add(number) }
        }
        return out
    }

    /// `scotus:scdb:2012-001` -> itself, `scdb:2012-001`, `2012-001`: node keys are
    /// `graph:identifier`, so a key-like text whose key does not exist may still end in
    /// an identifier. An ECLI's own `ECLI:` is never stripped.
    static func withoutKeyPrefixes(_ text: String) -> [String] {
        var variants = [text]
        var rest = Substring(text)
        while let colon = rest.firstIndex(of: ":"), rest.prefix(5).uppercased() != "ECLI:" {
            let prefix = rest[..<colon]
            guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter }) else { break }
            rest = rest[rest.index(after: colon)...].drop(while: \.isWhitespace)
            if rest.isEmpty { break }
            variants.append(String(rest))
        }
        return variants
    }

    private static let usReportsPattern = try! NSRegularExpression(
        pattern: #"^([0-9]{1,3})\s*U\.?\s*S\.?\s*([0-9]{1,4}|_{1,4})$"#, options: [.caseInsensitive])

    /// `568 U.S. 23`, `568 US 23`, `568US23`, `568 u.s. 23` -> ("568 U.S. 23", "568US23").
    static func usReports(_ text: String) -> (reports: String, usid: String)? {
        guard let groups = match(usReportsPattern, text) else { return nil }
        let volume = String(Int(groups[0]) ?? 0)
        let page = groups[1].hasPrefix("_") ? groups[1] : String(Int(groups[1]) ?? 0)
        return ("\(volume) U.S. \(page)", "\(volume)US\(page)")
    }

    private static let applicationPattern = try! NSRegularExpression(
        pattern: #"^(?:app(?:lication)?s?\.?\s*)?(?:nos?\.?\s*)?([0-9]{1,6})\s*/\s*([0-9]{2})$"#, options: [.caseInsensitive])

    /// `no. 4143/02`, `Application no. 4143/02`, `4143 / 02` -> `4143/02`.
    static func applicationNumber(_ text: String) -> String? {
        guard let groups = match(applicationPattern, text) else { return nil }
        return "\(groups[0])/\(groups[1])"
    }

    private static func match(_ regex: NSRegularExpression, _ text: String) -> [String]? {
        let range = NSRange(text.startIndex..., in: text)
        guard let m = regex.firstMatch(in: text, range: range) else { return nil }
        return (1..<m.numberOfRanges).map { i in Range(m.range(at: i), in: text).map { String(text[$0]) } ?? "" }
    }
}
