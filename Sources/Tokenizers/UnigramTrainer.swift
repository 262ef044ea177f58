import Foundation

/// Trains a SentencePiece Unigram model the way Hugging Face `tokenizers`' `UnigramTrainer`
/// does, behind ALBERT's pipeline without a SentencePiece charsmap (the quote `Replace`s, NFKD,
/// StripAccents, Lowercase, runs of spaces to one; WhitespaceSplit + Metaspace), so the same
/// corpus gives the same pieces:
///
/// - seeds: every character (scored by its count), then every substring of 2 to
///   `maxPieceLength` characters that the suffix tree of the distinct words (each ended by
///   "\0") has as an internal node, i.e. seen twice or more with two or more different next
///   characters, scored count x length, the highest first (ties to the greater string);
///   scores become log-probabilities;
/// - EM: `subIterations` rounds of the E-step (forward-backward over each word's lattice,
///   expected counts weighted by the word's count) and the M-step (pieces expected fewer
///   than 0.5 times dropped, scores digamma(count) - digamma(total), the Bayesian EM);
/// - pruning, until at most 1.1 x `vocabularySize` pieces are left: each piece's loss if it
///   were replaced by its second-best segmentation, keeping the pieces with no alternative
///   and then the costliest to lose, down to max(1.1 x size, `shrinkingFactor` x pieces);
///   the peer's slips are kept (the alternatives' total counted with the number of pieces
///   rather than of alternatives; all candidates kept when the pieces without alternative
///   already pass the target);
/// - the end: every character of the corpus (one EM dropped scored the lowest score plus
///   0.0001 per such character before it), then the pieces in model order up to the size,
///   sorted by score (stably), after the special tokens.
///
/// Where the peer is not deterministic (it walks hash maps), this trainer takes a fixed
/// order: the characters EM dropped get their penalties by code point (the peer's runs give
/// them in any order), and the E-step sums the words in scalar order (the peer's order
/// changes the last digits of the scores).
public struct UnigramTrainer: Sendable {
    public var vocabularySize: Int
    public var specialTokens: [String]
    public var unknownToken: String
    public var shrinkingFactor: Double = 0.75
    public var subIterations: Int = 2
    public var maxPieceLength: Int = 16
    public var seedSize: Int = 1_000_000

    /// ALBERT's special tokens in its id order.
    public static let albertSpecialTokens = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]

    public init(vocabularySize: Int, specialTokens: [String] = UnigramTrainer.albertSpecialTokens, unknownToken: String = "<unk>") throws {
        guard !unknownToken.isEmpty else { throw TokenizerError("the unknown token must not be empty") }
        if let empty = specialTokens.firstIndex(where: \.isEmpty) { throw TokenizerError("special token \(empty + 1) is empty") }
        let reserved = specialTokens.count + (specialTokens.contains(unknownToken) ? 0 : 1)
        guard vocabularySize > reserved else {
            throw TokenizerError("vocabulary size \(vocabularySize) leaves no room beyond the \(reserved) special tokens")
        }
        self.vocabularySize = vocabularySize
        self.specialTokens = specialTokens
        self.unknownToken = unknownToken
    }

    /// The normalizer the trained tokenizer runs (ALBERT's without the charsmap).
    static let normalizer: [SentencePieceNormalizerStep] = [
        .replace(["`", "`"], ["\""]), .replace(["'", "'"], ["\""]), .nfkd, .stripAccents, .lowercase, .collapseSpaces([" "]),
    ]

    /// Word counts over `texts`: each text normalized and pre-tokenized as the trained
    /// tokenizer will do it, each piece (with its "▁") counted.
    public static func countWords(_ texts: some Sequence<String>) -> [[Unicode.Scalar]: Int] {
        var counts: [[Unicode.Scalar]: Int] = [:]
        for text in texts {
            var aligned = AlignedText(ArraySlice(Array(text.unicodeScalars)))
            for step in normalizer { step.apply(&aligned) }
            for piece in UnigramTokenizer.preTokenize(aligned, whitespaceSplit: true, metaspace: UnigramTokenizer.Metaspace()) {
                counts[piece.scalars, default: 0] += 1
            }
        }
        return counts
    }

    /// The trained pieces with their scores, in id order (special tokens first), and the
    /// unknown token's id.
    public func train(wordCounts: [[Unicode.Scalar]: Int]) throws -> (pieces: [(String, Double)], unkId: Int32) {
        let sentences = wordCounts.map { (word: $0.key.map(\.value), count: $0.value) }
            .sorted { $0.word.lexicographicallyPrecedes($1.word) }
        var seeds: [[UInt32]] = [Array("<UNK>".unicodeScalars.map(\.value))]
        var scores: [Double] = [.nan]
        for (piece, score) in seedPieces(sentences) {
            seeds.append(piece)
            scores.append(score)
        }
        let lattices = PieceMatches(seeds: seeds, words: sentences.map(\.word))
        // The current pieces, as indices into `seeds`, in model order.
        var pieces = Array(0..<seeds.count)
        let desired = vocabularySize * 11 / 10
        while true {
            for _ in 0..<subIterations {
                let expected = try eStep(pieces: pieces, scores: scores, lattices: lattices, sentences: sentences)
                (pieces, scores) = mStep(pieces: pieces, scores: scores, expected: expected)
            }
            if pieces.count <= desired { break }
            (pieces, scores) = prune(pieces: pieces, scores: scores, seeds: seeds, lattices: lattices, sentences: sentences)
        }
        return finalize(pieces: pieces, scores: scores, seeds: seeds, sentences: sentences)
    }

    // MARK: - Seeds

    /// The seed pieces with their log-probabilities, before EM (the characters first).
    public func seeds(wordCounts: [[Unicode.Scalar]: Int]) -> [(String, Double)] {
        let sentences = wordCounts.map { (word: $0.key.map(\.value), count: $0.value) }.sorted { $0.word.lexicographicallyPrecedes($1.word) }
        return seedPieces(sentences).map { (String(String.UnicodeScalarView($0.0.compactMap(Unicode.Scalar.init))), $0.1) }
    }

    func seedPieces(_ sentences: [(word: [UInt32], count: Int)]) -> [([UInt32], Double)] {
        var flat: [UInt32] = []
        var charCounts: [UInt32: Int] = [:]
        for (word, count) in sentences where !word.isEmpty {
            flat.append(contentsOf: word)
            flat.append(0)
            for c in word where c != 0 { charCounts[c, default: 0] += count }
        }
        var seeds: [([UInt32], Double)] = charCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
            .map { ([$0.key], Double($0.value)) }
        let substrings = Self.repeatedSubstrings(flat, maxLength: maxPieceLength)
            .sorted { $0.score != $1.score ? $0.score > $1.score : $1.chars.lexicographicallyPrecedes($0.chars) }
        for s in substrings {
            if seeds.count >= seedSize { break }
            seeds.append((s.chars, Double(s.score)))
        }
        var sum = 0.0
        for s in seeds { sum += s.1 }
        let logSum = log(sum)
        return seeds.map { ($0.0, log($0.1) - logSum) }
    }

    /// The internal nodes of the suffix tree of `flat` of 2 to `maxLength` characters without
    /// "\0": substrings seen at two or more places with two or more different next
    /// characters, each with its count and score (count x length).
    static func repeatedSubstrings(_ flat: [UInt32], maxLength: Int) -> [(chars: [UInt32], score: Int)] {
        let n = flat.count
        let cap = maxLength + 1
        // Characters before the next "\0", from each position.
        var clear = [Int](repeating: 0, count: n + 1)
        for p in stride(from: n - 1, through: 0, by: -1) { clear[p] = flat[p] == 0 ? 0 : clear[p + 1] + 1 }
        var order = (0..<n).filter { flat[$0] != 0 }
        order.sort { a, b in
            var i = 0
            while i < cap {
                let endA = a + i >= n, endB = b + i >= n
                if endA || endB { return endA && !endB }
                if flat[a + i] != flat[b + i] { return flat[a + i] < flat[b + i] }
                i += 1
            }
            return false
        }
        let m = order.count
        var lcp = [Int](repeating: 0, count: m)
        for k in 1..<max(m, 1) {
            let (a, b) = (order[k - 1], order[k])
            var i = 0
            while i < cap && a + i < n && b + i < n && flat[a + i] == flat[b + i] { i += 1 }
            lcp[k] = i
        }
        var out: [(chars: [UInt32], score: Int)] = []
        for depth in 2...max(2, maxLength) where depth <= maxLength {
            var k = 0
            while k < m {
                var j = k + 1
                var branches = false
                while j < m && lcp[j] >= depth {
                    if lcp[j] == depth { branches = true }
                    j += 1
                }
                if j - k >= 2 && branches && clear[order[k]] >= depth {
                    out.append((Array(flat[order[k]..<(order[k] + depth)]), (j - k) * depth))
                }
                k = j
            }
        }
        return out
    }

    // MARK: - EM

    /// Each word's candidate pieces: (start, length, seed), by start then length, as the
    /// peer's trie search yields them.
    struct PieceMatches {
        var matches: [[(start: Int32, length: Int32, seed: Int32)]]
        var seedLengths: [Int]

        init(seeds: [[UInt32]], words: [[UInt32]]) {
            var index: [[UInt32]: Int32] = [:]
            var longest = 1
            for (i, s) in seeds.enumerated() {
                index[s] = Int32(i)
                longest = max(longest, s.count)
            }
            seedLengths = seeds.map(\.count)
            matches = words.map { word in
                var found: [(start: Int32, length: Int32, seed: Int32)] = []
                for start in 0..<word.count {
                    for length in 1...min(longest, word.count - start) {
                        if let seed = index[Array(word[start..<(start + length)])] { found.append((Int32(start), Int32(length), seed)) }
                    }
                }
                return found
            }
        }
    }

    /// One word's lattice under the current pieces: node 0 is the start, node 1 the end,
    /// then the candidates in the peer's insertion order (an unknown node where no
    /// single-character piece starts).
    struct Lattice {
        var begin: [Int] = [0, 0]
        var length: [Int] = [0, 0]
        var score: [Double] = [0, 0]
        var piece: [Int] = [-1, -1]
        var beginNodes: [[Int]]
        var endNodes: [[Int]]

        init(length n: Int) {
            beginNodes = Array(repeating: [], count: n + 1)
            endNodes = Array(repeating: [], count: n + 1)
            endNodes[0] = [0]
            beginNodes[n] = [1]
            begin[1] = n
        }

        mutating func insert(_ b: Int, _ len: Int, _ s: Double, _ p: Int) {
            let node = begin.count
            begin.append(b); length.append(len); score.append(s); piece.append(p)
            beginNodes[b].append(node)
            endNodes[b + len].append(node)
        }

        /// Builds the lattice of a word (`matches` over its `n` characters); `position[seed]`
        /// is the seed's index among the current pieces, -1 when pruned.
        init(n: Int, matches: [(start: Int32, length: Int32, seed: Int32)], position: [Int], scores: [Double], unkScore: Double) {
            self.init(length: n)
            var k = 0
            for start in 0..<n {
                var single = false
                while k < matches.count && Int(matches[k].start) == start {
                    let m = matches[k]
                    k += 1
                    let p = position[Int(m.seed)]
                    guard p >= 0 else { continue }
                    insert(start, Int(m.length), scores[p], p)
                    if m.length == 1 { single = true }
                }
                if !single { insert(start, 1, unkScore, 0) }
            }
        }

        /// The peer's log-sum-exp (its first term taken as is, far smaller terms dropped).
        static func logSumExp(_ x: Double, _ y: Double, first: Bool) -> Double {
            if first { return y }
            let (low, high) = x > y ? (y, x) : (x, y)
            return high > low + 50 ? high : high + log(exp(low - high) + 1)
        }

        /// Adds each piece's expected count (times `freq`) to `expected`; returns the log
        /// partition (times `freq`).
        func marginals(freq: Double, into expected: inout [Double]) -> Double {
            let n = beginNodes.count - 1
            var alpha = [Double](repeating: 0, count: begin.count)
            var beta = [Double](repeating: 0, count: begin.count)
            for pos in 0...n {
                for r in beginNodes[pos] {
                    for (k, l) in endNodes[pos].enumerated() { alpha[r] = Self.logSumExp(alpha[r], score[l] + alpha[l], first: k == 0) }
                }
            }
            for pos in stride(from: n, through: 0, by: -1) {
                for l in endNodes[pos] {
                    for (k, r) in beginNodes[pos].enumerated() { beta[l] = Self.logSumExp(beta[l], score[r] + beta[r], first: k == 0) }
                }
            }
            let z = alpha[1]
            for pos in 0..<n {
                for node in beginNodes[pos] { expected[piece[node]] += freq * exp(alpha[node] + score[node] + beta[node] - z) }
            }
            return freq * z
        }

        /// The best path's nodes and, when there is one, the second best's (the peer's
        /// Viterbi: ties to the earlier-inserted node, the longer piece).
        func twoBest() -> (best: [Int], second: [Int]?) {
            let n = beginNodes.count - 1
            // Per node, up to two (score, previous node, its rank) by decreasing score.
            var best = [[(Double, Int, Int)]](repeating: [], count: begin.count)
            best[0] = [(0, -1, -1)]
            for pos in 0...n {
                for r in beginNodes[pos] {
                    var top: [(Double, Int, Int)] = []
                    for l in endNodes[pos] {
                        for (rank, entry) in best[l].enumerated() {
                            let s = entry.0 + score[r]
                            if top.isEmpty || s > top[0].0 {
                                top.insert((s, l, rank), at: 0)
                            } else if top.count < 2 || s > top[1].0 {
                                if top.count == 2 { top[1] = (s, l, rank) } else { top.append((s, l, rank)) }
                            }
                            if top.count > 2 { top.removeLast() }
                        }
                    }
                    best[r] = top
                }
            }
            func path(_ rank: Int) -> [Int] {
                var out: [Int] = []
                var (node, r) = (best[1][rank].1, best[1][rank].2)
                while node > 1 {
                    out.append(node)
                    (node, r) = (best[node][r].1, best[node][r].2)
                }
                return out.reversed()
            }
            return (path(0), best[1].count > 1 ? path(1) : nil)
        }
    }

    static func minScore(_ scores: [Double]) -> Double {
        var low = Double.infinity
        for s in scores where s < low { low = s }
        return low
    }

    static func positions(_ pieces: [Int], seeds: Int) -> [Int] {
        var position = [Int](repeating: -1, count: seeds)
        for (p, seed) in pieces.enumerated() { position[seed] = p }
        return position
    }

    func eStep(pieces: [Int], scores: [Double], lattices: PieceMatches, sentences: [(word: [UInt32], count: Int)]) throws -> [Double] {
        let position = Self.positions(pieces, seeds: lattices.seedLengths.count)
        let unkScore = Self.minScore(scores) - 10
        var expected = [Double](repeating: 0, count: pieces.count)
        for (w, sentence) in sentences.enumerated() {
            let lattice = Lattice(n: sentence.word.count, matches: lattices.matches[w], position: position, scores: scores, unkScore: unkScore)
            let z = lattice.marginals(freq: Double(sentence.count), into: &expected)
            if z.isNaN {
                throw TokenizerError("Unigram training: the likelihood of the word \(String(String.UnicodeScalarView(sentence.word.compactMap(Unicode.Scalar.init))).debugDescription) is not a number")
            }
        }
        return expected
    }

    static func digamma(_ value: Double) -> Double {
        var x = value
        var result = 0.0
        while x < 7 {
            result -= 1 / x
            x += 1
        }
        x -= 1.0 / 2.0
        let xx = 1 / x
        let xx2 = xx * xx
        let xx4 = xx2 * xx2
        result += log(x) + (1.0 / 24.0) * xx2 - 7.0 / 960.0 * xx4 + (31.0 / 8064.0) * xx4 * xx2 - (127.0 / 30720.0) * xx4 * xx4
        return result
    }

    func mStep(pieces: [Int], scores: [Double], expected: [Double]) -> ([Int], [Double]) {
        var kept: [Int] = []
        var counts: [Double] = []
        var sum = 0.0
        for (p, freq) in expected.enumerated() {
            if p == 0 {
                kept.append(pieces[0]); counts.append(.nan)
                continue
            }
            if freq < 0.5 { continue }
            kept.append(pieces[p]); counts.append(freq)
            sum += freq
        }
        let logSum = Self.digamma(sum)
        return (kept, counts.map { Self.digamma($0) - logSum })
    }

    // MARK: - Pruning

    func prune(pieces: [Int], scores: [Double], seeds: [[UInt32]], lattices: PieceMatches,
               sentences: [(word: [UInt32], count: Int)]) -> ([Int], [Double]) {
        let position = Self.positions(pieces, seeds: seeds.count)
        let unkScore = Self.minScore(scores) - 10
        var alwaysKeep = [Bool](repeating: true, count: pieces.count)
        var alternatives = [[Int]](repeating: [], count: pieces.count)
        let selfMatches = PieceMatches(seeds: pieces.map { seeds[$0] }, words: pieces.map { seeds[$0] })
        let identity = Array(0..<pieces.count)
        for id in 1..<pieces.count {
            // The piece's own text, matched against the current pieces (indices are ids here).
            let lattice = Lattice(n: seeds[pieces[id]].count, matches: selfMatches.matches[id], position: identity, scores: scores, unkScore: unkScore)
            let (best, second) = lattice.twoBest()
            if second == nil {
                alwaysKeep[id] = true
            } else if best.count >= 2 {
                alwaysKeep[id] = false
            } else if best.count == 1 {
                alwaysKeep[id] = true
                alternatives[id] = second!.map { lattice.piece[$0] }
            }
        }
        alwaysKeep[0] = false

        var vsum = 0.0
        var freq = [Double](repeating: 0, count: pieces.count)
        var inverted = [[Int]](repeating: [], count: pieces.count)
        for (w, sentence) in sentences.enumerated() {
            let lattice = Lattice(n: sentence.word.count, matches: lattices.matches[w], position: position, scores: scores, unkScore: unkScore)
            vsum += Double(sentence.count)
            for node in lattice.twoBest().best {
                freq[lattice.piece[node]] += Double(sentence.count)
                inverted[lattice.piece[node]].append(w)
            }
        }
        var sum = 0.0
        for f in freq { sum += f }
        let logSum = log(sum)
        var candidates: [(id: Int, loss: Double)] = []
        var kept = [0]
        for id in 1..<pieces.count {
            if freq[id] == 0 && !alwaysKeep[id] { continue }
            if alternatives[id].isEmpty {
                kept.append(id)
                continue
            }
            var f = 0.0
            for w in inverted[id] { f += Double(sentences[w].count) }
            if f == 0 || f.isNaN { continue }
            f /= vsum
            let logProbPiece = log(freq[id]) - logSum
            // The peer multiplies by the number of pieces less one here (not of alternatives).
            let logSumAlt = log(sum + freq[id] * Double(pieces.count - 1))
            var logProbAlt = 0.0
            for a in alternatives[id] { logProbAlt += log(freq[a] + freq[id]) - logSumAlt }
            candidates.append((id, f * (logProbPiece - logProbAlt)))
        }
        let prunedSize = max(vocabularySize * 11 / 10, Int(Double(pieces.count) * shrinkingFactor))
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.id < $1.id }
        for c in candidates {
            if kept.count == prunedSize { break }
            kept.append(c.id)
        }
        return (kept.map { pieces[$0] }, kept.map { scores[$0] })
    }

    // MARK: - Final vocabulary

    func finalize(pieces: [Int], scores: [Double], seeds: [[UInt32]], sentences: [(word: [UInt32], count: Int)]) -> (pieces: [(String, Double)], unkId: Int32) {
        let minScore = Self.minScore(scores)
        var existing: [[UInt32]: Double] = [:]
        for (p, seed) in pieces.enumerated() { existing[seeds[seed]] = scores[p] }
        var required = Set<UInt32>()
        for s in sentences { required.formUnion(s.word) }
        var out: [([UInt32], Double)] = []
        var inserted: Set<[UInt32]> = [seeds[0]]
        var penalty = 0.0
        for c in required.sorted() {
            inserted.insert([c])
            if let score = existing[[c]] {
                out.append(([c], score))
            } else {
                out.append(([c], minScore + penalty))
                penalty += 0.0001
            }
        }
        let unkAt = specialTokens.firstIndex(of: unknownToken)
        let room = vocabularySize - specialTokens.count - (unkAt == nil ? 1 : 0)
        for (p, seed) in pieces.enumerated() {
            if inserted.contains(seeds[seed]) { continue }
            inserted.insert(seeds[seed])
            out.append((seeds[seed], scores[p].isNaN ? 0 : scores[p]))
            if out.count == room { break }
        }
        let order = out.indices.sorted { out[$0].1 != out[$1].1 ? out[$0].1 > out[$1].1 : $0 < $1 }
        var special = specialTokens.map { ($0, 0.0) }
        if unkAt == nil { special.insert((unknownToken, 0.0), at: 0) }
        let trained = order.map { i in (String(String.UnicodeScalarView(out[i].0.compactMap(Unicode.Scalar.init))), out[i].1) }
        return (special + trained, Int32(unkAt ?? 0))
    }
}
