import Tokenizers
import Transformer
import XCTest

/// Masking statistics over many seeded draws, checked against the binomial: each bound
/// is the expected count ± 5 standard deviations (a false failure about once in 3.5
/// million runs), so a rate off by a fraction of a point fails.
final class WholeWordMaskingTests: XCTestCase {
    static let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    static let words = (0..<40).map { "w\($0)" }
    static let pieces = (0..<10).map { "##p\($0)" }
    static let vocabulary = Vocabulary(tokens: specials + words + pieces)
    static let pad: Int32 = 0, unk: Int32 = 1, cls: Int32 = 2, sep: Int32 = 3, mask: Int32 = 4

    func masker(wholeWords: Bool = true) throws -> WholeWordMasker {
        try WholeWordMasker(vocabulary: try MaskingVocabulary(Self.vocabulary), wholeWords: wholeWords)
    }

    static func id(_ token: String) -> Int32 { vocabulary.id(for: token)! }

    /// [CLS] + n words (each with 0-3 `##` pieces when `pieces`) + [SEP], from `g`.
    static func sequence(words n: Int, pieces: Bool, _ g: inout SeededGenerator) -> [Int32] {
        var ids: [Int32] = [cls]
        for _ in 0..<n {
            ids.append(id(words[Int(g.next() % 40)]))
            if pieces { for _ in 0..<Int(g.next() % 4) { ids.append(id(Self.pieces[Int(g.next() % 10)])) } }
        }
        return ids + [sep]
    }

    func assertBinomial(_ count: Int, trials: Int, p: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let mean = Double(trials) * p, sd = (Double(trials) * p * (1 - p)).squareRoot()
        XCTAssertLessThanOrEqual(abs(Double(count) - mean), 5 * sd, "\(what): \(count) of \(trials), expected \(mean) ± \(5 * sd)", file: file, line: line)
        print("[\(what)] \(count)/\(trials) = \(Double(count) / Double(trials)) (expected \(p), bound ± \(5 * sd / Double(trials)))")
    }

    func testTokenRatesAndReplacementSplitFollowTheBinomial() throws {
        let m = try masker(wholeWords: false)
        var data = SeededGenerator(seed: 1), rng = SeededGenerator(seed: 2)
        var maskable = 0, chosen = 0, masked = 0, kept = 0, random = 0
        for _ in 0..<2000 {
            let ids = Self.sequence(words: 100, pieces: true, &data)
            let (input, labels) = m.mask(ids, rng: &rng)
            for i in ids.indices {
                if ids[i] == Self.cls || ids[i] == Self.sep { XCTAssertEqual(labels[i], -100); XCTAssertEqual(input[i], ids[i]); continue }
                maskable += 1
                guard labels[i] != -100 else { XCTAssertEqual(input[i], ids[i]); continue }
                XCTAssertEqual(labels[i], ids[i])
                chosen += 1
                if input[i] == Self.mask { masked += 1 } else if input[i] == ids[i] { kept += 1 } else {
                    random += 1
                    XCTAssertFalse([Self.pad, Self.unk, Self.cls, Self.sep, Self.mask].contains(input[i]), "random replacement \(input[i]) is special")
                }
            }
        }
        let ordinary = Double(Self.words.count + Self.pieces.count)  // a random draw may equal the original
        assertBinomial(chosen, trials: maskable, p: 0.15, "tokens chosen")
        assertBinomial(masked, trials: chosen, p: 0.8, "chosen -> [MASK]")
        assertBinomial(random, trials: chosen, p: 0.1 * (1 - 1 / ordinary), "chosen -> another token")
        assertBinomial(kept, trials: chosen, p: 0.1 + 0.1 / ordinary, "chosen -> kept")
    }

    func testWholeWordsAreMaskedTogetherAtTheSameTokenRate() throws {
        let m = try masker()
        var data = SeededGenerator(seed: 3), rng = SeededGenerator(seed: 4)
        var words = 0, chosenWords = 0, tokens = 0, chosenTokens = 0, multiPieceChosen = 0
        for _ in 0..<2000 {
            let ids = Self.sequence(words: 60, pieces: true, &data)
            let (_, labels) = m.mask(ids, rng: &rng)
            var i = 1
            while i < ids.count - 1 {
                var end = i + 1
                while end < ids.count - 1 && ids[end] >= Self.id("##p0") { end += 1 }
                let chosen = (i..<end).map { labels[$0] != -100 }
                XCTAssertTrue(chosen.allSatisfy { $0 == chosen[0] }, "word \(ids[i..<end]) partly masked: \(labels[i..<end])")
                words += 1; tokens += end - i
                if chosen[0] { chosenWords += 1; chosenTokens += end - i; if end - i > 1 { multiPieceChosen += 1 } }
                i = end
            }
        }
        XCTAssertGreaterThan(multiPieceChosen, 1000)
        assertBinomial(chosenWords, trials: words, p: 0.15, "words chosen")
        // Tokens come in words of 1-4 pieces (mean 2.5), so the token count varies 2.5x as much
        // per trial: bound by the words' binomial scaled by the largest word length.
        let expected = 0.15 * Double(tokens), sd = (Double(words) * 0.15 * 0.85).squareRoot() * 4
        XCTAssertLessThanOrEqual(abs(Double(chosenTokens) - expected), 5 * sd, "tokens chosen: \(chosenTokens) of \(tokens)")
        print("[tokens chosen, whole words] \(chosenTokens)/\(tokens) = \(Double(chosenTokens) / Double(tokens))")
    }

    func testSpecialTokensAndPaddingAreNeverMasked() throws {
        let m = try WholeWordMasker(vocabulary: try MaskingVocabulary(Self.vocabulary), probability: 1)
        let ids: [Int32] = [Self.cls, Self.id("w1"), Self.unk, Self.mask, Self.id("##p1"), Self.sep, Self.pad, Self.pad]
        let attention: [Float] = [1, 1, 1, 1, 1, 1, 0, 0]
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let (input, labels) = m.mask(ids, attentionMask: attention, rng: &rng)
            XCTAssertEqual(labels.map { $0 != -100 }, [false, true, false, false, true, false, false, false])
            for i in [0, 2, 3, 5, 6, 7] { XCTAssertEqual(input[i], ids[i]) }
        }
        // A `##` piece after a special token starts a word of its own.
        XCTAssertEqual(m.wordStarts(ids, attentionMask: attention), [nil, 1, nil, nil, 4, nil, nil, nil])
        let batch = try BertBatch(sequences: [[Self.cls, Self.id("w2"), Self.id("##p3"), Self.sep], [Self.cls, Self.id("w3"), Self.sep]])
        var g = SeededGenerator(seed: 6)
        let (masked, labels) = try m.mask(batch, rng: &g)
        XCTAssertEqual(labels, [-100, Self.id("w2"), Self.id("##p3"), -100, -100, Self.id("w3"), -100, -100])
        XCTAssertEqual(masked.attentionMask, batch.attentionMask)
        XCTAssertEqual(masked.inputIds[7], Self.pad)
    }

    func testSameSeedSameMasksOtherSeedOthers() throws {
        let m = try masker()
        var data = SeededGenerator(seed: 7)
        let ids = (0..<50).flatMap { _ in Self.sequence(words: 20, pieces: true, &data) }
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = m.mask(ids, rng: &a), second = m.mask(ids, rng: &b), other = m.mask(ids, rng: &c)
        XCTAssertEqual(first.inputIds, second.inputIds)
        XCTAssertEqual(first.labels, second.labels)
        XCTAssertNotEqual(first.labels, other.labels)
    }

    func testBadSettingsAreErrors() throws {
        let v = try MaskingVocabulary(Self.vocabulary)
        XCTAssertThrowsError(try WholeWordMasker(vocabulary: v, probability: 0)) { XCTAssertTrue("\($0)".contains("masking probability"), "\($0)") }
        XCTAssertThrowsError(try WholeWordMasker(vocabulary: v, maskFraction: 0.9, randomFraction: 0.2)) { XCTAssertTrue("\($0)".contains("sum to at most 1"), "\($0)") }
        XCTAssertThrowsError(try MaskingVocabulary(Vocabulary(tokens: ["[PAD]", "a"]))) { XCTAssertTrue("\($0)".contains("no mask token \"[MASK]\""), "\($0)") }
    }
}

/// Held-out perplexity: fixed masks per seed, exp of the token-weighted mean loss.
final class MaskedLMPerplexityTests: XCTestCase {
    func testPerplexityIsTokenWeightedAndReproducible() throws {
        let folder = try CheckpointFolder(directory: Fixtures.tinyModel)
        let model = try MaskedLanguageModel(config: folder.config, seed: 3)
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (5..<99).map { $0 % 3 == 0 ? "##t\($0)" : "t\($0)" }
        let masker = try WholeWordMasker(vocabulary: try MaskingVocabulary(Vocabulary(tokens: tokens)))
        var g = SeededGenerator(seed: 11)
        var examples: [EncodedExample] = []
        for i in 0..<9 {
            var ids: [Int32] = [2]
            for _ in 0..<(5 + 3 * i) { ids.append(Int32(5 + g.next() % 94)) }
            ids.append(3)
            examples.append(EncodedExample(ids: ids, typeIds: [Int32](repeating: 0, count: ids.count), labels: []))
        }
        let a = try model.perplexity(examples, masker: masker, seed: 1, batchSize: 4)
        XCTAssertEqual(try model.perplexity(examples, masker: masker, seed: 1, batchSize: 4), a, "same seed, same masks")
        XCTAssertNotEqual(try model.perplexity(examples, masker: masker, seed: 2, batchSize: 4), a, "another seed, other masks")
        // By hand: the same batches and masks, losses weighted by their masked counts.
        var sum = 0.0, count = 0
        for (k, batch) in LengthBucketing.sortedBatches(lengths: examples.map { $0.length }, batchSize: 4).enumerated() {
            var rng = SeededGenerator(seed: derivedSeed(1, stream: 0x4D4C4D, index: k))
            let (masked, labels) = try masker.mask(try BatchCollation.batch(batch.map { examples[$0] }), rng: &rng)
            let e = try model.evaluate(masked, maskedLabels: labels)
            sum += Double(e.loss) * Double(e.maskedTokens); count += e.maskedTokens
        }
        XCTAssertEqual(a.maskedTokens, count)
        XCTAssertGreaterThan(count, 0)
        XCTAssertEqual(a.perplexity, exp(sum / Double(count)), accuracy: 1e-9 * a.perplexity)
        // An untrained head over 99 tokens: perplexity near the vocabulary size.
        XCTAssertTrue((30...300).contains(a.perplexity), "\(a.perplexity)")
    }
}
