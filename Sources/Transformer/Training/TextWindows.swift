/// Prediction for texts longer than the model's token limit, without cutting them: the
/// text's tokens are split into overlapping windows of at most `maxLength` tokens, each
/// window is predicted as its own input ([CLS] part [SEP]), and the windows' logits are
/// combined by their mean.
///
/// Why the mean: every window is a view of one part of the text, and the mean counts each
/// part about equally (the overlap only smooths the cuts between windows) while keeping
/// the combined logits on the scale of one input's, so thresholds tuned on whole dev texts
/// still apply; a text within the limit is its own single window, so its logits are
/// exactly the unwindowed ones. The maximum would instead fire on a long text whenever any
/// one window does, making false positives grow with length; a caller that wants "is
/// there an X anywhere" evidence reads the windows one by one (`windowLogits`).
public struct TextWindows: Sendable, Equatable {
    /// Tokens per window, [CLS] and [SEP] included.
    public let maxLength: Int
    /// Text tokens from one window's start to the next's.
    public let stride: Int

    /// `stride` defaults to half a window's text tokens, so every token away from the ends
    /// is seen in two windows, once away from a window edge.
    public init(maxLength: Int, stride: Int? = nil) throws {
        guard maxLength >= 3 else { throw TransformerError("a window needs at least 3 tokens ([CLS] text [SEP]), got \(maxLength)") }
        let span = maxLength - 2
        let stride = stride ?? max(span / 2, 1)
        guard (1...span).contains(stride) else {
            throw TransformerError("window stride must be in 1...\(span) (the text tokens of a \(maxLength)-token window), got \(stride)")
        }
        self.maxLength = maxLength
        self.stride = stride
    }

    /// The windows of one whole (untruncated) encoded text: the example itself when it fits;
    /// else [CLS] + text tokens [s, s + maxLength − 2) + [SEP] for s = 0, stride, 2·stride, …,
    /// the last window ending at the text's last token (so no window is a short tail). The
    /// example's first and last ids are taken as its [CLS] and [SEP]. A text pair over the
    /// limit is an error: which segment to window is the caller's decision.
    public func windows(of example: EncodedExample) throws -> [EncodedExample] {
        guard example.length > maxLength else { return [example] }
        guard example.typeIds.allSatisfy({ $0 == 0 }) else {
            throw TransformerError("a text pair of \(example.length) tokens is over the \(maxLength)-token limit; only single texts are windowed")
        }
        let cls = example.ids[0], sep = example.ids[example.length - 1]
        let body = example.ids[1..<(example.length - 1)]
        let span = maxLength - 2
        var starts = Array(Swift.stride(from: 0, to: body.count - span, by: stride))
        starts.append(body.count - span)
        return starts.map { s in
            let ids = [cls] + body[(body.startIndex + s)..<(body.startIndex + s + span)] + [sep]
            return EncodedExample(ids: ids, typeIds: [Int32](repeating: 0, count: ids.count), labels: example.labels)
        }
    }
}

extension BertModel {
    /// Logits per window of each item (`windows.windows(of:)`), in order: `[item][window][label]`.
    public func windowLogits(_ items: [EncodedExample], windows: TextWindows, batchSize: Int = 32, padTokenId: Int32 = 0) throws -> [[[Float]]] {
        let perItem = try items.map { try windows.windows(of: $0) }
        let flat = try predictLogits(perItem.flatMap { $0 }, batchSize: batchSize, padTokenId: padTokenId)
        var out: [[[Float]]] = [], next = 0
        for w in perItem {
            out.append(Array(flat[next..<(next + w.count)]))
            next += w.count
        }
        return out
    }

    /// Logits per item for items of any length (encoded whole: `EncodedExample.encode` with
    /// `maxLength: nil`): the mean of its windows' logits (see `TextWindows` for why).
    public func predictLogits(windowsOf items: [EncodedExample], windows: TextWindows, batchSize: Int = 32, padTokenId: Int32 = 0) throws -> [[Float]] {
        try windowLogits(items, windows: windows, batchSize: batchSize, padTokenId: padTokenId).map { rows in
            guard rows.count > 1 else { return rows[0] }
            var mean = [Float](repeating: 0, count: rows[0].count)
            for row in rows { for j in row.indices { mean[j] += row[j] } }
            return mean.map { $0 / Float(rows.count) }
        }
    }
}
