/// The merge loop of Hugging Face `tokenizers`' `BpeTrainer`, shared by byte-level BPE and
/// WordPiece training (the peer's `WordPieceTrainer` is this loop with the `##` prefix):
/// the most frequent adjacent pair first, ties to the smallest (left id, right id); counts
/// are updated from each merge's neighbours, and a queued count that has gone stale is
/// refreshed and queued again rather than merged, as the peer does. Stops at
/// `vocabularySize` tokens, or when the best pair is rarer than `minFrequency`.
struct BPEMergeLoop {
    /// Token texts by id (grows with each merge).
    var tokens: [String]
    var ids: [String: Int32]

    init(tokens: [String]) {
        self.tokens = []
        self.ids = [:]
        for token in tokens { _ = add(token) }
    }

    /// The id of `token`, added at the end when new.
    mutating func add(_ token: String) -> Int32 {
        if let id = ids[token] { return id }
        tokens.append(token)
        ids[token] = Int32(tokens.count - 1)
        return Int32(tokens.count - 1)
    }

    /// Runs the merges over `words` (symbol ids, each word counted `counts[w]` times) and
    /// returns the merged pairs in order. A merged token is the left text followed by the
    /// right text without `continuingPrefix` when it starts with it.
    mutating func run(words: inout [[Int32]], counts: [Int], vocabularySize: Int, minFrequency: Int,
                      continuingPrefix: String? = nil) -> [UInt64] {
        var pairCounts: [UInt64: Int] = [:]
        var whereToUpdate: [UInt64: Set<Int>] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for i in 0..<(word.count - 1) {
                let key = BytePairEncoding.pairKey(word[i], word[i + 1])
                pairCounts[key, default: 0] += counts[w]
                whereToUpdate[key, default: []].insert(w)
            }
        }
        var queue = BinaryHeap<Candidate> { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        for (key, positions) in whereToUpdate where pairCounts[key]! > 0 {
            queue.push(Candidate(count: pairCounts[key]!, key: key, positions: positions))
        }
        whereToUpdate.removeAll()

        var merges: [UInt64] = []
        while tokens.count < vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.key] ?? 0
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || minFrequency > top.count { break }
            let (a, b) = (Int32(truncatingIfNeeded: top.key >> 32), Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF))
            var right = tokens[Int(b)]
            if let prefix = continuingPrefix, !prefix.isEmpty, right.hasPrefix(prefix) {
                right = String(right.unicodeScalars.dropFirst(prefix.unicodeScalars.count))
            }
            let merged = add(tokens[Int(a)] + right)
            merges.append(top.key)
            for w in top.positions {
                for (key, change) in Self.merge(&words[w], a, b, into: merged) {
                    pairCounts[key, default: 0] += change * counts[w]
                    if change > 0 { whereToUpdate[key, default: []].insert(w) }
                }
            }
            for (key, positions) in whereToUpdate where pairCounts[key]! > 0 {
                queue.push(Candidate(count: pairCounts[key]!, key: key, positions: positions))
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }
        return merges
    }

    /// A pair waiting to be merged: its count when queued and the words it was seen in.
    struct Candidate {
        var count: Int
        var key: UInt64
        var positions: Set<Int>
    }

    /// Merges every (a, b) in `word`, left to right, and returns the pair-count changes
    /// around each merge (the peer's `Word::merge`: the merged pair's own count is left
    /// as it is).
    static func merge(_ word: inout [Int32], _ a: Int32, _ b: Int32, into merged: Int32) -> [(UInt64, Int)] {
        var changes: [(UInt64, Int)] = []
        var i = 0
        while i < word.count {
            if word[i] == a && i + 1 < word.count && word[i + 1] == b {
                if i > 0 {
                    changes.append((BytePairEncoding.pairKey(word[i - 1], a), -1))
                    changes.append((BytePairEncoding.pairKey(word[i - 1], merged), 1))
                }
                word[i] = merged
                word.remove(at: i + 1)
                if i < word.count - 1 {
                    changes.append((BytePairEncoding.pairKey(b, word[i + 1]), -1))
                    changes.append((BytePairEncoding.pairKey(merged, word[i + 1]), 1))
                }
            }
            i += 1
        }
        return changes
    }
}
