import Foundation
import GRDB
import GraphStore
import LexgraphCore

/// `fts(n, 'terms')` scores on the server: FTS5's BM25 (`FullTextRank`) over the counts
/// PostgreSQL's index holds, so that a node scores here what it scores in a SQLite file
/// wherever the two indexes tokenize its text alike (`PostgresSchema.fullText` says where
/// they do not). Per query term its occurrences in the node (the `tsvector`'s positions),
/// the node's length in tokens, and per corpus the node count, the total length and each
/// term's document count. The corpus counts cost a scan of `node_fts` (a term's count an
/// index look-up), so they are kept per graph generation (every write moves it): a
/// query's first score pays for them, its other scores one statement each.
extension PostgresGraphStore {
    /// The node's BM25 relevance for `terms` (higher is better), nil when it does not match.
    public func fullTextScore(terms: String, nodeID: Int64) throws -> Double? {
        let lexemes = try queryLexemes(terms)
        let distinct = Value.list(Set(lexemes).sorted().map(Value.string)).jsonText
        guard let row = try rows("""
            SELECT (SELECT value FROM store_meta WHERE key = 'lexgraph_generation'),
                   (SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(document)),
                   (SELECT coalesce(json_object_agg(lexeme, cardinality(positions)), '{}')::text FROM unnest(document)
                    WHERE lexeme IN (SELECT jsonb_array_elements_text($3::jsonb)))
            FROM node_fts WHERE node_id = $2 AND document @@ websearch_to_tsquery('\(PostgreSQLDialect.fullTextConfiguration)', $1)
            """, arguments: [terms.databaseValue, nodeID.databaseValue, distinct.databaseValue]).first else { return nil }
        var occurrences: [String: Int] = [:]
        if case .map(let m) = try Value.parseJSON(String.fromDatabaseValue(row[2]) ?? "{}") {
            for (lexeme, value) in m { if case .int(let n) = value { occurrences[lexeme] = Int(n) } }
        }
        let corpus = try fullTextCorpus(generation: String.fromDatabaseValue(row[0]) ?? "", lexemes: lexemes)
        return FullTextRank.bm25(terms: lexemes.map { (occurrences[$0] ?? 0, corpus.documentsWith[$0] ?? 0) },
                                 documentLength: Int.fromDatabaseValue(row[1]) ?? 0,
                                 documents: corpus.documents, totalLength: corpus.totalLength)
    }

    /// The positive lexemes of `terms` as the server reads them (kept: they depend only on
    /// the text search configuration).
    func queryLexemes(_ terms: String) throws -> [String] {
        if let known = fullText.locked({ $0.lexemes[terms] }) { return known }
        let query = try values("SELECT websearch_to_tsquery('\(PostgreSQLDialect.fullTextConfiguration)', $1)::text", [terms.databaseValue])
            .first.flatMap { String.fromDatabaseValue($0) } ?? ""
        let lexemes = PostgresGraphStore.positiveLexemes(ofQuery: query)
        fullText.locked { cache in
            if cache.lexemes.count >= 1024 { cache.lexemes = [:] }
            cache.lexemes[terms] = lexemes
        }
        return lexemes
    }

    /// The corpus counts at `generation`, with the document counts of `lexemes`; read
    /// again once the graph has moved on (a count read from a later generation is kept
    /// for that one).
    func fullTextCorpus(generation: String, lexemes: [String]) throws -> FullTextCache.Corpus {
        var corpus = fullText.locked { $0.corpus }
        if corpus?.generation != generation {
            let row = try rows("""
                SELECT (SELECT value FROM store_meta WHERE key = 'lexgraph_generation'), count(*), coalesce(sum(length), 0)::bigint
                FROM (SELECT (SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(document)) AS length FROM node_fts) AS d
                """, arguments: []).first ?? [.null, .null, .null]
            corpus = FullTextCache.Corpus(generation: String.fromDatabaseValue(row[0]) ?? "", documents: Int.fromDatabaseValue(row[1]) ?? 0,
                                          totalLength: Int.fromDatabaseValue(row[2]) ?? 0)
        }
        guard var known = corpus else { return FullTextCache.Corpus(generation: generation, documents: 0, totalLength: 0) }
        let missing = Set(lexemes).filter { known.documentsWith[$0] == nil }.sorted()
        if !missing.isEmpty {
            let list = Value.list(missing.map { .string(PostgresGraphStore.tsqueryLiteral($0)) }).jsonText
            let counts = try rows("SELECT (SELECT count(*) FROM node_fts WHERE document @@ q::tsquery) FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS t(q, i) ORDER BY i",
                                  arguments: [list.databaseValue])
            for (lexeme, r) in zip(missing, counts) { known.documentsWith[lexeme] = Int.fromDatabaseValue(r[0]) ?? 0 }
        }
        if known.documentsWith.count > 100_000 { known.documentsWith = [:] }
        let kept = known
        fullText.locked { $0.corpus = kept }
        return known
    }

    /// The lexemes of a `tsquery`'s text form (`'evict' & !'tenant' | 'leas'`) that are
    /// not negated, in order, repeats kept. A negated one scores nothing in a document
    /// that matches (it does not occur there), as in FTS5.
    static func positiveLexemes(ofQuery text: String) -> [String] {
        var out: [String] = []
        var chars = Array(text)[...]
        var negated = false
        while let c = chars.popFirst() {
            switch c {
            case "!": negated = true
            case "'":
                var lexeme = ""
                while let d = chars.popFirst() {
                    if d == "'" {
                        if chars.first == "'" { lexeme.append("'"); chars.removeFirst() } else { break }
                    } else if d == "\\", let e = chars.popFirst() {
                        lexeme.append(e)
                    } else {
                        lexeme.append(d)
                    }
                }
                if !negated { out.append(lexeme) }
                negated = false
            case " ", "(": continue
            default: negated = false
            }
        }
        return out
    }

    /// `lexeme` as a `tsquery` literal that matches exactly it (no parsing, no stemming).
    static func tsqueryLiteral(_ lexeme: String) -> String {
        "'" + lexeme.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// What full-text scoring keeps between queries (`PostgresGraphStore.fullTextScore`).
final class FullTextCache: @unchecked Sendable {
    /// One graph generation's counts.
    struct Corpus {
        var generation: String
        var documents: Int
        var totalLength: Int
        /// Per lexeme, how many documents hold it.
        var documentsWith: [String: Int] = [:]
    }

    struct State {
        var lexemes: [String: [String]] = [:]
        var corpus: Corpus?
    }

    private let lock = NSLock()
    private var state = State()

    func locked<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
