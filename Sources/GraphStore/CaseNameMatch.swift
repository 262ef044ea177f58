import Foundation
import Ontology

/// Case names as lawyers type them against names as the sources wrote them: SCDB's
/// `ROE et al. v. WADE, DISTRICT ATTORNEY OF DALLAS COUNTY` and `ERNEST C. ROE, WARDEN v.
/// LUCIO FLORES-ORTEGA`, Fowler's `Mapp v. Ohio`, HUDOC's `CASE OF COSTER v. THE UNITED
/// KINGDOM`, the annotators' `Coster v. the United Kingdom`.
///
/// A name becomes words (case, accents and punctuation dropped, `&` as `and`, without a
/// leading `case of` and the words `petitioner`, `respondent`, `et al`, `the`), split into
/// its two parties at `v` (`vs`, `versus`), each party cut at its first comma (what follows
/// is a title: `, WARDEN`, `, DISTRICT ATTORNEY OF ...`). A typed name is the same case
/// when each typed party is the start or the end of the stored party (`Roe v. Wade`,
/// `Roe v. Flores-Ortega`). For "did you mean" a name scores by the share of the typed
/// words it has, a word counting when it is equal, a shared prefix of at least 4
/// letters, or within a small edit distance (typos).
struct CaseNameMatch {
    /// Every word, in order (`v` included).
    let words: [String]
    /// The two parties' words, when the name has a `v`.
    let parties: ([String], [String])?

    init(_ text: String) {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "&", with: " and ")
        // Word lists with the comma positions kept as "," tokens, so a party can be cut there.
        var tokens: [String] = []
        var word = ""
        for ch in folded {
            if ch.isLetter || ch.isNumber { word.append(ch); continue }
            if !word.isEmpty { tokens.append(word.lowercased()); word = "" }
            if ch == "," { tokens.append(",") }
        }
        if !word.isEmpty { tokens.append(word.lowercased()) }
        tokens = tokens.map { $0 == "vs" || $0 == "versus" ? "v" : $0 }
        if tokens.count > 2, tokens[0] == "case", tokens[1] == "of" { tokens.removeFirst(2) }
        tokens.removeAll { CaseNameMatch.fillers.contains($0) }

        words = tokens.filter { $0 != "," }
        if let v = tokens.firstIndex(of: "v") {
            func party(_ slice: ArraySlice<String>) -> [String] { Array(slice.prefix { $0 != "," }) }
            let first = party(tokens[..<v].drop { $0 == "," }), second = party(tokens[(v + 1)...].drop { $0 == "," })
            parties = first.isEmpty || second.isEmpty ? nil : (first, second)
        } else {
            parties = nil
        }
    }

    private static let fillers: Set<String> = ["petitioner", "petitioners", "respondent", "respondents", "et", "al", "the"]

    /// Whether this typed name names the case `stored` is the name of: each party typed
    /// is the start or the end of the stored party.
    func names(_ stored: CaseNameMatch) -> Bool {
        guard let (a, b) = parties, let (x, y) = stored.parties else { return false }
        func fits(_ typed: [String], _ full: [String]) -> Bool {
            typed.count <= full.count && (Array(full.prefix(typed.count)) == typed || Array(full.suffix(typed.count)) == typed)
        }
        return fits(a, x) && fits(b, y)
    }

    /// Share of this query's words (other than `v`) that `name` has, 0...1.
    func score(against name: CaseNameMatch) -> Double {
        let wanted = words.filter { $0 != "v" }
        guard !wanted.isEmpty else { return 0 }
        let have = name.words.filter { $0 != "v" }
        let matched = wanted.filter { word in have.contains { CaseNameMatch.similar(word, $0) } }.count
        return Double(matched) / Double(wanted.count)
    }

    static func similar(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if a.count >= 4, b.count >= 4, a.hasPrefix(b) || b.hasPrefix(a) { return true }
        let allowed = min(a.count, b.count) >= 8 ? 2 : min(a.count, b.count) >= 4 ? 1 : 0
        guard allowed > 0, abs(a.count - b.count) <= allowed else { return false }
        return Ontology.editDistance(Array(a), Array(b)) <= allowed
    }
}
