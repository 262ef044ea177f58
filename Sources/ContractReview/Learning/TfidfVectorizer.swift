import Foundation

/// Word n-gram TF-IDF features as scikit-learn's `TfidfVectorizer` computes them with
/// `lowercase=True`, the default token pattern `(?u)\b\w\w+\b` (runs of two or more
/// letters, digits or underscores), `ngram_range`, `min_df` (a count), `sublinear_tf`,
/// `smooth_idf=True` and `norm="l2"`: a term's weight is tf·idf with
/// tf = 1 + ln(count) (sublinear) or count, idf = ln((1 + n) / (1 + df)) + 1, and each
/// row scaled to unit length. Checked against scikit-learn by
/// `tools/make_tfidf_fixture.py` (Tests/Fixtures/tfidf/).
///
/// The column order is not scikit-learn's (it sorts terms; here a term's column is its
/// rank by document frequency, ties by the term), so compare by term, not by column.
public struct TfidfVectorizer: Sendable {
    public var ngrams: ClosedRange<Int>
    public var minDocumentFrequency: Int
    public var sublinearTF: Bool
    /// Keep only the most frequent terms (by document frequency) when set, as a bound on a
    /// linear head's width; nil keeps every term that passes `minDocumentFrequency`.
    public var maxFeatures: Int?
    /// Column of each term.
    public private(set) var vocabulary: [String: Int] = [:]
    /// Inverse document frequency per column.
    public private(set) var idf: [Float] = []

    public init(ngrams: ClosedRange<Int> = 1...2, minDocumentFrequency: Int = 1, sublinearTF: Bool = true, maxFeatures: Int? = nil) {
        self.ngrams = ngrams; self.minDocumentFrequency = minDocumentFrequency; self.sublinearTF = sublinearTF; self.maxFeatures = maxFeatures
    }

    /// A fitted vectorizer restored from its terms in column order and their idf (a saved
    /// model's); nil when the two lists differ in length or a term repeats.
    public init?(ngrams: ClosedRange<Int>, minDocumentFrequency: Int, sublinearTF: Bool, terms: [String], idf: [Float]) {
        guard terms.count == idf.count, Set(terms).count == terms.count else { return nil }
        self.init(ngrams: ngrams, minDocumentFrequency: minDocumentFrequency, sublinearTF: sublinearTF)
        vocabulary = Dictionary(uniqueKeysWithValues: terms.enumerated().map { ($1, $0) })
        self.idf = idf
    }

    /// The terms in column order (what `init(ngrams:...:terms:idf:)` takes back).
    public var termsByColumn: [String] {
        var out = [String](repeating: "", count: vocabulary.count)
        for (term, j) in vocabulary { out[j] = term }
        return out
    }

    public var featureCount: Int { idf.count }

    /// The tokens of `text` as scikit-learn's default analyzer finds them: lowercased runs
    /// of word characters (letters, numerals, underscore), two or more long.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if current.count >= 2 { out.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.lowercased().unicodeScalars {
            if Self.isWordCharacter(scalar) {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// Python's `\w`: a letter (Lu, Ll, Lt, Lm, Lo), anything with a numeric value, or `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        let p = scalar.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return p.numericType != nil
        }
    }

    /// The n-grams of `text` (unigrams first, then bigrams, ...), joined by one space.
    public func terms(_ text: String) -> [String] {
        let words = Self.tokens(text)
        var out: [String] = []
        for n in ngrams where n >= 1 && words.count >= n {
            if n == 1 { out += words; continue }
            for i in 0...(words.count - n) { out.append(words[i..<(i + n)].joined(separator: " ")) }
        }
        return out
    }

    /// Learns the vocabulary and idf from `texts` (the training split only).
    public mutating func fit(_ texts: [String]) {
        var df: [String: Int] = [:]
        for text in texts { for term in Set(terms(text)) { df[term, default: 0] += 1 } }
        var kept = df.filter { $0.value >= minDocumentFrequency }.map { ($0.key, $0.value) }
        kept.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        if let maxFeatures, kept.count > maxFeatures { kept = Array(kept.prefix(maxFeatures)) }
        let n = Double(texts.count)
        vocabulary = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1.0, $0) })
        idf = kept.map { Float(log((1 + n) / (1 + Double($0.1))) + 1) }
    }

    /// One L2-normalized sparse row per text (terms outside the vocabulary are dropped).
    public func transform(_ texts: [String]) -> SparseRows {
        var rows = SparseRows(columns: featureCount)
        for text in texts {
            var counts: [Int: Int] = [:]
            for term in terms(text) { if let j = vocabulary[term] { counts[j, default: 0] += 1 } }
            let entries = counts.sorted { $0.key < $1.key }.map { (j, c) -> (Int, Float) in
                let tf = sublinearTF ? 1 + log(Float(c)) : Float(c)
                return (j, tf * idf[j])
            }
            let norm = sqrt(entries.reduce(Float(0)) { $0 + $1.1 * $1.1 })
            rows.append(entries.map { ($0.0, norm > 0 ? $0.1 / norm : 0) })
        }
        return rows
    }
}

/// Rows of a sparse matrix in compressed-row form: row i's entries are
/// `indices[offsets[i]..<offsets[i+1]]` with `values` alike.
public struct SparseRows: Sendable, Equatable {
    public private(set) var columns: Int
    public private(set) var offsets: [Int] = [0]
    public private(set) var indices: [Int32] = []
    public private(set) var values: [Float] = []

    public init(columns: Int) { self.columns = columns }

    public var count: Int { offsets.count - 1 }

    public mutating func append(_ entries: [(Int, Float)]) {
        for (j, v) in entries {
            precondition(j >= 0 && j < columns, "sparse column \(j) outside 0..<\(columns)")
            indices.append(Int32(j)); values.append(v)
        }
        offsets.append(indices.count)
    }

    public func row(_ i: Int) -> (indices: ArraySlice<Int32>, values: ArraySlice<Float>) {
        (indices[offsets[i]..<offsets[i + 1]], values[offsets[i]..<offsets[i + 1]])
    }

    /// These rows with `dense` (one `[width]` vector per row, scaled by `scale`) appended
    /// as `width` more columns: TF-IDF beside a sentence embedding in one linear model.
    public func appending(dense: [[Float]], scale: Float) -> SparseRows {
        precondition(dense.count == count, "\(dense.count) dense rows for \(count) sparse rows")
        let width = dense.first?.count ?? 0
        var out = SparseRows(columns: columns + width)
        for i in 0..<count {
            let (ix, vs) = row(i)
            var entries = zip(ix, vs).map { (Int($0), $1) }
            if scale != 0 { entries += dense[i].enumerated().map { (columns + $0, scale * $1) } }
            out.append(entries)
        }
        return out
    }
}
