/// SentencePiece's Unigram language model as Hugging Face's `tokenizers` runs it: every
/// vocabulary piece that starts at a position is a candidate, the best path (highest sum of
/// log-probability scores) wins, ties going to the candidate that starts earliest (the
/// longest piece); a scalar no single-scalar piece covers may be the unknown piece, scored
/// the lowest score minus 10, and consecutive unknown pieces fuse into one.
public struct UnigramModel: Sendable {
    public let vocabulary: Vocabulary
    public let scores: [Double]
    public let unkId: Int32
    let unkScore: Double
    /// A trie over the pieces' scalars: per node, its children and the piece ending there.
    private var children: [[Unicode.Scalar: Int32]] = [[:]]
    private var pieceAt: [Int32] = [-1]

    /// `pieces`: (text, score) in id order.
    public init(pieces: [(String, Double)], unkId: Int32) throws {
        guard !pieces.isEmpty else { throw TokenizerError("a Unigram model needs at least one piece") }
        guard unkId >= 0, Int(unkId) < pieces.count else {
            throw TokenizerError("unk_id \(unkId) is outside the vocabulary (size \(pieces.count))")
        }
        vocabulary = Vocabulary(tokens: pieces.map(\.0))
        scores = pieces.map(\.1)
        self.unkId = unkId
        unkScore = (scores.min() ?? 0) - 10
        for (id, (piece, _)) in pieces.enumerated() {
            var node = 0
            for s in piece.unicodeScalars {
                if let next = children[node][s] {
                    node = Int(next)
                } else {
                    children.append([:])
                    pieceAt.append(-1)
                    children[node][s] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            // A repeated piece resolves to its last id, as in the peer.
            if node != 0 { pieceAt[node] = Int32(id) }
        }
    }

    /// The best segmentation of `scalars`: ids with their scalar ranges.
    func encode(_ scalars: ArraySlice<Unicode.Scalar>, ids: inout [Int32], ranges: inout [Range<Int>]) {
        let n = scalars.count
        guard n > 0 else { return }
        let base = scalars.startIndex
        var bestScore = [Double](repeating: 0, count: n + 1)
        var bestStart = [Int](repeating: -1, count: n + 1)
        var bestId = [Int32](repeating: 0, count: n + 1)
        for start in 0..<n {
            let till = bestScore[start]
            var hasSingle = false
            var node = 0
            var end = start
            while end < n, let next = children[node][scalars[base + end]] {
                node = Int(next)
                end += 1
                let id = pieceAt[node]
                guard id >= 0 else { continue }
                let candidate = scores[Int(id)] + till
                if bestStart[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    bestStart[end] = start
                    bestId[end] = id
                }
                if end == start + 1 { hasSingle = true }
            }
            if !hasSingle {
                let candidate = unkScore + till
                if bestStart[start + 1] < 0 || candidate > bestScore[start + 1] {
                    bestScore[start + 1] = candidate
                    bestStart[start + 1] = start
                    bestId[start + 1] = unkId
                }
            }
        }
        // Back from the end, fusing runs of unknown pieces.
        var pieces: [(Int32, Range<Int>)] = []
        var end = n
        var unkEnd: Int?
        while end > 0 {
            let start = bestStart[end]
            if bestId[end] == unkId {
                if unkEnd == nil { unkEnd = end }
            } else {
                if let e = unkEnd { pieces.append((-1, end..<e)); unkEnd = nil }
                pieces.append((bestId[end], start..<end))
            }
            end = start
        }
        if let e = unkEnd { pieces.append((-1, 0..<e)) }
        for (id, range) in pieces.reversed() {
            if id >= 0 {
                ids.append(id)
            } else {
                // A fused run is looked up as text, as the peer does.
                var text = ""
                text.unicodeScalars.append(contentsOf: scalars[(base + range.lowerBound)..<(base + range.upperBound)])
                ids.append(vocabulary.id(for: text) ?? unkId)
            }
            ranges.append(range)
        }
    }
}
