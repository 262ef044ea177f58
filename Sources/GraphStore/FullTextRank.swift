import Foundation

/// BM25 as SQLite's FTS5 computes it (`bm25()` in fts5_aux.c, every column weighted 1),
/// for a store whose full-text index does not rank by it itself (PostgreSQL's
/// `ts_rank` has no inverse document frequency and orders differently): the same
/// formula over the same counts gives the same score.
public enum FullTextRank {
    /// FTS5's constants.
    public static let k1 = 1.2, b = 0.75

    /// The relevance of one document, higher is better (FTS5's `-bm25(...)`). Per query
    /// term (a repeated term counts again, as FTS5 counts each phrase): `occurrences` in
    /// the document and `documentsWithTerm` in the corpus. `documentLength` and
    /// `totalLength` are token counts; `documents` the corpus's size.
    public static func bm25(terms: [(occurrences: Int, documentsWithTerm: Int)], documentLength: Int,
                            documents: Int, totalLength: Int) -> Double {
        let n = Double(documents), average = documents > 0 ? Double(totalLength) / n : 0
        var score = 0.0
        for term in terms {
            var idf = log((n - Double(term.documentsWithTerm) + 0.5) / (Double(term.documentsWithTerm) + 0.5))
            if idf <= 0 { idf = 1e-6 }
            let f = Double(term.occurrences)
            let norm = average > 0 ? Double(documentLength) / average : 0
            score += idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * norm))
        }
        return score
    }
}
