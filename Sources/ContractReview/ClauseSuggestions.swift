import Foundation
import GraphStore
import LexgraphCore

/// A standard clause from the corpus offered as a model for revising a clause.
public struct ClauseSuggestion: Sendable, Equatable {
    /// The graph key, which says where it came from: `clause:clause-corpus:{row}` is record
    /// `row` of clauses/clause_types_395.csv (see graphs/contracts.yaml).
    public var key: String
    public var source: String?
    public var text: String
    /// BM25 score against the text it was ranked for, or the cosine similarity to its
    /// type's TF-IDF centroid when ranked without one (`typical`).
    public var score: Double
}

/// Revision suggestions from the graph: the clauses `INSTANCE_OF` a clause type, ranked
/// lexically by BM25 (k1 1.2, b 0.75, document frequencies within the type's clauses)
/// against a text: the flagged clause's, or the whole contract's for a missing clause.
/// `typical` ranks without a text (closest to the type's TF-IDF centroid), and breaks
/// ties of `nearest` when no word of the text occurs in the type's clauses. Exact and
/// fast: a type has about 50 clauses, read once.
public final class ClauseSuggestions {
    let store: GraphStore
    private var cache: [String: [Document]] = [:]

    struct Document {
        var key: String
        var source: String?
        var text: String
        var terms: [String: Int]
        var length: Int
    }

    public init(store: GraphStore) { self.store = store }

    /// The `limit` clauses of `typeKey` nearest to `text`.
    public func nearest(typeKey: String, to text: String, limit: Int) throws -> [ClauseSuggestion] {
        let docs = try documents(of: typeKey)
        guard !docs.isEmpty, limit > 0 else { return [] }
        let query = Set(Self.terms(text).keys)
        let df = Self.documentFrequencies(docs)
        let n = Double(docs.count)
        let averageLength = Double(docs.map(\.length).reduce(0, +)) / n
        let k1 = 1.2, b = 0.75
        let scored = docs.map { d -> ClauseSuggestion in
            var score = 0.0
            for term in query {
                guard let tf = d.terms[term].map(Double.init) else { continue }
                let idf = log(1 + (n - Double(df[term, default: 0]) + 0.5) / (Double(df[term, default: 0]) + 0.5))
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * Double(d.length) / max(averageLength, 1)))
            }
            return ClauseSuggestion(key: d.key, source: d.source, text: d.text, score: score)
        }
        if scored.allSatisfy({ $0.score == 0 }) { return try typical(typeKey: typeKey, limit: limit) }
        return Self.best(scored, limit: limit)
    }

    /// The `limit` most typical clauses of `typeKey`.
    public func typical(typeKey: String, limit: Int) throws -> [ClauseSuggestion] {
        let docs = try documents(of: typeKey)
        guard !docs.isEmpty, limit > 0 else { return [] }
        let df = Self.documentFrequencies(docs)
        let n = Double(docs.count)
        let vectors = docs.map { d -> [String: Double] in
            var v: [String: Double] = [:]
            for (term, tf) in d.terms { v[term] = (1 + log(Double(tf))) * log(1 + n / Double(df[term, default: 1])) }
            let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.mapValues { $0 / norm } : v
        }
        var centroid: [String: Double] = [:]
        for v in vectors { for (t, x) in v { centroid[t, default: 0] += x / n } }
        let centroidNorm = centroid.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let scored = zip(docs, vectors).map { d, v -> ClauseSuggestion in
            let dot = v.reduce(0) { $0 + $1.value * (centroid[$1.key] ?? 0) }
            return ClauseSuggestion(key: d.key, source: d.source, text: d.text, score: centroidNorm > 0 ? dot / centroidNorm : 0)
        }
        return Self.best(scored, limit: limit)
    }

    /// Highest score first; equal scores in key order, so results are reproducible.
    static func best(_ scored: [ClauseSuggestion], limit: Int) -> [ClauseSuggestion] {
        Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }.prefix(limit))
            .map { var s = $0; s.score = (s.score * 1e4).rounded() / 1e4; return s }
    }

    func documents(of typeKey: String) throws -> [Document] {
        if let cached = cache[typeKey] { return cached }
        let docs = try store.edges(ofType: "INSTANCE_OF", to: typeKey).compactMap { instance -> Document? in
            let clause = instance.node
            guard clause.type == "Clause", let text = clause.properties["text"]?.stringValue, !text.isEmpty else { return nil }
            let terms = Self.terms(text)
            return Document(key: clause.key, source: clause.properties["source"]?.stringValue, text: text, terms: terms,
                            length: terms.values.reduce(0, +))
        }
        cache[typeKey] = docs
        return docs
    }

    static func documentFrequencies(_ docs: [Document]) -> [String: Int] {
        var df: [String: Int] = [:]
        for d in docs { for t in d.terms.keys { df[t, default: 0] += 1 } }
        return df
    }

    static let stopWords: Set<String> = ["the", "of", "and", "to", "a", "in", "or", "any", "by", "for", "be", "is", "as", "such", "with", "on",
                                         "that", "this", "which", "shall", "will", "its", "it", "an", "at", "are", "from", "other", "all",
                                         "may", "not", "no", "has", "have", "been", "under", "than", "if", "each", "their", "them", "these"]

    /// Lower-cased words of two or more letters or digits, stop words left out, counted.
    static func terms(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        var word = ""
        func flush() {
            if word.count >= 2, !stopWords.contains(word) { counts[word, default: 0] += 1 }
            word = ""
        }
        for c in text.lowercased() {
            if c.isLetter || c.isNumber { word.append(c) } else { flush() }
        }
        flush()
        return counts
    }
}
