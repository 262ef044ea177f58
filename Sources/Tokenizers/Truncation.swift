/// The lengths the two sequences (without special tokens) keep under `limit`, following
/// Hugging Face `tokenizers` (`truncate_encodings`), errors included.
func truncatedLengths(_ n1: Int, _ n2: Int?, limit: Int, strategy: TruncationStrategy) throws -> (Int, Int?) {
    if limit == 0 { return (0, n2.map { _ in 0 }) }
    let total = n1 + (n2 ?? 0)
    guard total > limit else { return (n1, n2) }
    let toRemove = total - limit
    switch strategy {
    case .doNotTruncate:
        return (n1, n2)
    case .longestFirst:
        guard let n2 else { return (limit, nil) }
        // Keep the shorter whole when the longer can absorb the cut; otherwise split evenly
        // (the longer one gets the odd token).
        var short = min(n1, n2)
        var long = max(n1, n2)
        long = short > limit ? short : max(short, limit - short)
        if short + long > limit {
            short = limit / 2
            long = short + limit % 2
        }
        return n1 > n2 ? (long, short) : (short, long)
    case .onlyFirst, .onlySecond:
        let targetLength: Int
        if strategy == .onlyFirst {
            targetLength = n1
        } else {
            guard let n2 else { throw TokenizerError("truncation only_second: there is no second text to truncate") }
            targetLength = n2
        }
        guard targetLength > toRemove else {
            throw TokenizerError("truncation \(strategy.rawValue): the \(strategy == .onlyFirst ? "first" : "second") text has \(targetLength) tokens, too few to remove the \(toRemove) needed for max_length")
        }
        return strategy == .onlyFirst ? (n1 - toRemove, n2) : (n1, n2! - toRemove)
    }
}
