import Dispatch

/// The tokens of one text before special tokens: ids with their offsets.
struct TokenSequence {
    var ids: [Int32] = []
    var offsets: [TokenOffset] = []

    mutating func keepFirst(_ n: Int) {
        ids.removeSubrange(n...)
        offsets.removeSubrange(n...)
    }
}

/// Where a model's post-processor puts its special tokens, and the type ids it gives:
/// BERT `[CLS] A [SEP] (B [SEP])` with type 1 for the second text; RoBERTa
/// `<s> A </s> (</s> B </s>)` with type 0 throughout.
struct SpecialTokenLayout: Sendable {
    var cls: Int32
    var sep: Int32
    /// Separators between the two texts of a pair (1 for BERT, 2 for RoBERTa).
    var separatorsBetween: Int
    var secondTypeId: Int32

    func addedCount(pair: Bool) -> Int { pair ? 2 + separatorsBetween : 2 }
}

/// The steps every tokenizer shares after it has turned each text into tokens: truncation
/// (Hugging Face's rules), the special-token layout, padding, and parallel batches.
enum EncodingAssembly {
    /// Truncation and special tokens, no padding.
    static func assemble(_ first: TokenSequence, _ second: TokenSequence?, layout: SpecialTokenLayout, options: EncodeOptions,
                         modelMaxLength: Int) throws -> Encoding {
        var first = first
        var second = second
        if options.truncation != .doNotTruncate {
            let limit = options.maxLength ?? modelMaxLength
            let added = options.addSpecialTokens ? layout.addedCount(pair: second != nil) : 0
            // Like the peer: a limit below the number of added tokens disables truncation
            // (its unsigned subtraction wraps around).
            if limit >= added {
                let (n1, n2) = try truncatedLengths(first.ids.count, second?.ids.count, limit: limit - added, strategy: options.truncation)
                first.keepFirst(n1)
                if let n2 { second!.keepFirst(n2) }
            }
        }
        var encoding = Encoding()
        let special = options.addSpecialTokens
        encoding.ids.reserveCapacity(first.ids.count + (second?.ids.count ?? 0) + layout.addedCount(pair: second != nil))
        if special { encoding.append(id: layout.cls, typeId: 0, offset: .none, sequence: -1) }
        for (id, offset) in zip(first.ids, first.offsets) { encoding.append(id: id, typeId: 0, offset: offset, sequence: 0) }
        if special { encoding.append(id: layout.sep, typeId: 0, offset: .none, sequence: -1) }
        if let second {
            let type = layout.secondTypeId
            if special {
                for _ in 1..<layout.separatorsBetween { encoding.append(id: layout.sep, typeId: type, offset: .none, sequence: -1) }
            }
            for (id, offset) in zip(second.ids, second.offsets) { encoding.append(id: id, typeId: type, offset: offset, sequence: 1) }
            if special { encoding.append(id: layout.sep, typeId: type, offset: .none, sequence: -1) }
        }
        return encoding
    }

    /// Right-pads to `length` (no-op when already that long or longer).
    static func pad(_ encoding: inout Encoding, to length: Int, padId: Int32) {
        while encoding.count < length {
            encoding.append(id: padId, typeId: 0, offset: .none, sequence: -1, attended: false)
        }
    }

    /// Pads one encoding as `options` asks (`.longest` is a batch's business).
    static func padSingle(_ encoding: inout Encoding, options: EncodeOptions, modelMaxLength: Int, padId: Int32) {
        if options.padding == .maxLength { pad(&encoding, to: options.maxLength ?? modelMaxLength, padId: padId) }
    }

    /// Encodes `count` items with `encodeOne` (in parallel for large batches), then pads them
    /// together (`.longest` pads to the longest of this batch). An error names its item.
    static func batch(count: Int, pairCount: Int?, options: EncodeOptions, modelMaxLength: Int, padId: Int32,
                      encodeOne: @escaping @Sendable (Int) throws -> Encoding) throws -> [Encoding] {
        if let pairCount, pairCount != count {
            throw TokenizerError("batch has \(count) texts but \(pairCount) second texts")
        }
        var results = [Result<Encoding, TokenizerError>](repeating: .success(Encoding()), count: count)
        let work: @Sendable (Int) -> Result<Encoding, TokenizerError> = { i in
            do { return .success(try encodeOne(i)) } catch let e as TokenizerError {
                return .failure(TokenizerError("batch item \(i): \(e.message)"))
            } catch {
                return .failure(TokenizerError("batch item \(i): \(error)"))
            }
        }
        if count >= 64 {
            results.withUnsafeMutableBufferPointer { buffer in
                let out = UncheckedSendableBuffer(buffer: buffer)
                DispatchQueue.concurrentPerform(iterations: count) { i in out.buffer[i] = work(i) }
            }
        } else {
            for i in 0..<count { results[i] = work(i) }
        }
        var encodings = try results.map { try $0.get() }
        let target: Int?
        switch options.padding {
        case .doNotPad: target = nil
        case .longest: target = encodings.map(\.count).max()
        case .maxLength: target = options.maxLength ?? modelMaxLength
        }
        if let target {
            for i in encodings.indices { pad(&encodings[i], to: target, padId: padId) }
        }
        return encodings
    }
}

/// Lets `concurrentPerform` workers write disjoint slots of one buffer.
private struct UncheckedSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
}
