/// The BPE model of a byte-level tokenizer: a word's bytes start as one symbol each (their
/// alphabet character's id) and the adjacent pair with the lowest merge rank is merged,
/// leftmost first on ties, until no pair in the merge table remains. The merge order is
/// Hugging Face `tokenizers`' (a queue by rank, then position), so ids match the peer's.
public struct BytePairEncoding: Sendable {
    /// Result of merging a pair: its rank (its line in `merges`) and the merged token's id.
    struct Merge: Sendable {
        var rank: Int32
        var id: Int32
    }

    /// A merge waiting in a word: the pair starting at `position`.
    private struct PendingMerge {
        var rank: Int32
        var position: Int
        var id: Int32
    }

    public let vocabulary: Vocabulary
    /// Keyed by `pairKey(left, right)`.
    let merges: [UInt64: Merge]
    /// The id of each byte's alphabet character.
    let byteIds: [Int32]
    /// `ignore_merges`: a word that is itself in the vocabulary is taken whole.
    let ignoreMerges: Bool

    /// Builds the model; `merges` are token-text pairs in rank order. Every byte's alphabet
    /// character must be in the vocabulary (else some input could not be encoded), and both
    /// sides of a merge and their concatenation too.
    public init(vocabulary: Vocabulary, merges: [(String, String)], ignoreMerges: Bool = false) throws {
        self.vocabulary = vocabulary
        self.ignoreMerges = ignoreMerges
        var byteIds: [Int32] = []
        for byte in 0..<256 {
            let character = ByteLevelAlphabet.characters[byte]
            guard let id = vocabulary.id(for: character) else {
                throw TokenizerError("the vocabulary lacks byte 0x\(String(byte, radix: 16, uppercase: true)) ('\(character)'), which byte-level input can produce")
            }
            byteIds.append(id)
        }
        self.byteIds = byteIds
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let a = vocabulary.id(for: left), let b = vocabulary.id(for: right) else {
                throw TokenizerError("merge \(rank + 1) '\(left) \(right)' names a token that is not in the vocabulary")
            }
            guard let merged = vocabulary.id(for: left + right) else {
                throw TokenizerError("merge \(rank + 1) '\(left) \(right)' makes '\(left + right)', which is not in the vocabulary")
            }
            // A repeated pair keeps its first (best) rank.
            if table[Self.pairKey(a, b)] == nil { table[Self.pairKey(a, b)] = Merge(rank: Int32(rank), id: merged) }
        }
        self.merges = table
    }

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// Encodes one word (a pre-tokenizer piece's UTF-8 bytes), appending each token's id and
    /// the range of the word's bytes it covers.
    func encode(word bytes: ArraySlice<UInt8>, ids: inout [Int32], byteRanges: inout [Range<Int>]) {
        let base = bytes.startIndex
        guard !bytes.isEmpty else { return }
        if ignoreMerges, let whole = vocabulary.id(for: bytes.map { ByteLevelAlphabet.characters[Int($0)] }.joined()) {
            ids.append(whole)
            byteRanges.append(base..<bytes.endIndex)
            return
        }
        // Symbols as a linked list over the word's bytes: a merged symbol lives at its left
        // end, the right one is emptied (length 0).
        var symbol = bytes.map { byteIds[Int($0)] }
        var length = [Int](repeating: 1, count: symbol.count)
        var prev = Array(-1..<(symbol.count - 1))
        var next = Array(1...symbol.count)
        // Lowest rank first, then leftmost.
        var queue = BinaryHeap<PendingMerge> { $0.rank != $1.rank ? $0.rank < $1.rank : $0.position < $1.position }
        for i in 0..<(symbol.count - 1) {
            if let m = merges[Self.pairKey(symbol[i], symbol[i + 1])] { queue.push(PendingMerge(rank: m.rank, position: i, id: m.id)) }
        }
        while let top = queue.pop() {
            let i = top.position
            guard length[i] > 0, next[i] < symbol.count else { continue }
            let j = next[i]
            // Skip entries made stale by an earlier merge on either side.
            guard let m = merges[Self.pairKey(symbol[i], symbol[j])], m.id == top.id else { continue }
            symbol[i] = m.id
            length[i] += length[j]
            length[j] = 0
            next[i] = next[j]
            if next[j] < symbol.count { prev[next[j]] = i }
            if prev[i] >= 0, let left = merges[Self.pairKey(symbol[prev[i]], symbol[i])] {
                queue.push(PendingMerge(rank: left.rank, position: prev[i], id: left.id))
            }
            if next[i] < symbol.count, let right = merges[Self.pairKey(symbol[i], symbol[next[i]])] {
                queue.push(PendingMerge(rank: right.rank, position: i, id: right.id))
            }
        }
        var i = 0
        while i < symbol.count {
            ids.append(symbol[i])
            byteRanges.append((base + i)..<(base + i + length[i]))
            i = next[i]
        }
    }
}
