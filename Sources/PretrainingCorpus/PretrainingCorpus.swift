import Foundation
import LexgraphCore

/// A legal text corpus for domain-adaptive (MLM) pretraining, from the shared data,
/// without any text a downstream evaluation scores on:
/// - SCOTUS facts of cases in a test split (`split_full`, `split_graph_window`) or a test
///   term (those splits' test years, the walk-forward terms 2001-2013) are left out;
/// - clause-type and CUAD texts in the committed test splits (graphs/contracts/splits/)
///   are left out, and all of UNFAIR-ToS (each text is a test text of one of its 5 folds);
/// - any text of any source that equals one of those test texts (same letters and digits,
///   case aside: `CorpusDocument.duplicateKey`) is left out too;
/// - duplicates are kept once (the first, in source order), texts shorter than
///   `minimumCharacters` and texts holding control characters (binary junk) are dropped
///   and counted;
/// - a stable `heldOutFraction` of the texts, chosen by the SHA-256 of their duplicate key
///   (so the same text is held out whatever else the corpus holds), is the held-out split
///   that perplexity is measured on.
public struct PretrainingCorpus: Sendable {
    public struct Options: Sendable {
        /// The shared data folder (`--data`).
        public var dataFolder: String
        /// The folder holding graphs/contracts/splits/ (the repository root).
        public var splitsRoot: String
        /// The sources whose texts go in (downstream test texts are read and kept out regardless).
        public var sources: [CorpusSource]
        public var heldOutFraction: Double
        public var minimumCharacters: Int

        public init(dataFolder: String, splitsRoot: String, sources: [CorpusSource] = CorpusSource.allCases,
                    heldOutFraction: Double = 0.05, minimumCharacters: Int = 20) {
            self.dataFolder = dataFolder; self.splitsRoot = splitsRoot; self.sources = sources
            self.heldOutFraction = heldOutFraction; self.minimumCharacters = minimumCharacters
        }
    }

    /// What happened to one source's texts.
    public struct Tally: Sendable, Equatable {
        public var read = 0
        /// Test texts of a downstream task, or equal to one.
        public var test = 0
        public var duplicates = 0
        public var tooShort = 0
        public var junk = 0
        public var train = 0
        public var heldOut = 0
        /// file:line of the first junk text, for the report.
        public var firstJunk: String?
        public init() {}
    }

    public let train: [CorpusDocument]
    public let heldOut: [CorpusDocument]
    /// By source name, for the sources asked for.
    public let tallies: [String: Tally]
    public let options: Options

    public static func build(_ options: Options) throws -> PretrainingCorpus {
        guard options.heldOutFraction >= 0, options.heldOutFraction < 1 else {
            throw CorpusError("the held-out fraction must be in [0, 1), got \(options.heldOutFraction)")
        }
        var candidates: [CorpusSource: [CandidateText]] = [:]
        for source in CorpusSource.downstream + options.sources where candidates[source] == nil {
            candidates[source] = try source.read(data: options.dataFolder, splitsRoot: options.splitsRoot)
        }
        var testKeys = Set<String>()
        for source in CorpusSource.downstream {
            for c in candidates[source] ?? [] where c.isTest { testKeys.insert(CorpusDocument.duplicateKey(c.document.text)) }
        }
        var seen = Set<String>()
        var train: [CorpusDocument] = [], heldOut: [CorpusDocument] = []
        var tallies: [String: Tally] = [:]
        for source in options.sources where tallies[source.rawValue] == nil {
            var tally = Tally()
            for c in candidates[source] ?? [] {
                tally.read += 1
                let text = c.document.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if CorpusDocument.firstControlCharacter(in: text) != nil {
                    tally.junk += 1
                    if tally.firstJunk == nil { tally.firstJunk = "\(c.file):\(c.line)" }
                    continue
                }
                let key = CorpusDocument.duplicateKey(text)
                if c.isTest || testKeys.contains(key) { tally.test += 1; continue }
                if text.count < options.minimumCharacters { tally.tooShort += 1; continue }
                guard seen.insert(key).inserted else { tally.duplicates += 1; continue }
                var doc = c.document
                doc.text = text
                if isHeldOut(key: key, fraction: options.heldOutFraction) {
                    heldOut.append(doc); tally.heldOut += 1
                } else {
                    train.append(doc); tally.train += 1
                }
            }
            tallies[source.rawValue] = tally
        }
        return PretrainingCorpus(train: train, heldOut: heldOut, tallies: tallies, options: options)
    }

    /// Whether a text with this duplicate key is held out: the first 8 bytes of its
    /// SHA-256 as a fraction of 2⁶⁴, below `fraction`.
    public static func isHeldOut(key: String, fraction: Double) -> Bool {
        let digest = Checksum.sha256(Array(key.utf8))
        let x = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(x) / 0x1p64 < fraction
    }
}
