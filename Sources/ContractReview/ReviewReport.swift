/// Everything a review found, in one value the CLI and an HTTP handler render alike
/// (`json`, `table`, `markdown` in ReviewReport+Rendering.swift).
public struct ReviewReport: Sendable {
    public struct DocumentSummary: Sendable, Equatable {
        public var name: String
        public var format: ContractDocument.Format
        public var title: String?
        /// Unicode scalars and lines of the file.
        public var characters: Int
        public var lines: Int
    }

    public struct ContractTypeSummary: Sendable, Equatable {
        public var slug: String
        public var name: String
        /// How it was chosen: `--contract-type`, or the title word and where it matched.
        public var chosenBy: String
    }

    /// One of a clause's most probable types.
    public struct TypeScore: Sendable, Equatable {
        public var label: String
        /// The graph's `clausetype:clause-corpus:...` key for the label, nil when the graph
        /// has no such type.
        public var key: String?
        public var probability: Double
    }

    /// A sentence that made a flag, with its score.
    public struct Evidence: Sendable, Equatable {
        public var sentence: String
        public var probability: Double
        /// Unicode scalar offsets into the clause's `text`.
        public var characters: Range<Int>
    }

    /// An unfair-terms label above its threshold.
    public struct Flag: Sendable, Equatable {
        public var label: String
        public var probability: Double
        public var threshold: Double
        public var evidence: [Evidence]
    }

    public struct Clause: Sendable {
        public var segment: ClauseSegment
        /// Most probable types first; empty for a heading without text of its own.
        public var types: [TypeScore]
        /// Token windows the clause took (1 unless it was over the model's token limit).
        public var windows: Int
        public var flags: [Flag]
        /// Standard clauses of its type nearest to it, for a flagged clause.
        public var suggestions: [ClauseSuggestion]
    }

    public struct Expectation: Sendable {
        public var expected: ExpectedClause
        /// Paths of the clauses labelled with the type or a type of its family.
        public var foundIn: [String]
        /// The type's clauses nearest to the contract's text, for a missing one.
        public var suggestions: [ClauseSuggestion]
        public var isPresent: Bool { !foundIn.isEmpty }
    }

    public struct Timing: Sendable, Equatable {
        public var segmentation: Double = 0
        public var typesModel: Double = 0
        public var unfairModel: Double = 0
        public var graph: Double = 0
        public var total: Double = 0
    }

    public var document: DocumentSummary
    public var contractType: ContractTypeSummary?
    /// Why there is no contract type, when there is none.
    public var contractTypeNote: String?
    public var typesModel: ClauseModel.Description
    public var unfairModel: ClauseModel.Description?
    public var clauses: [Clause]
    public var expectations: [Expectation]
    public var timing: Timing

    public var flagged: [Clause] { clauses.filter { !$0.flags.isEmpty } }
    public var missing: [Expectation] { expectations.filter { !$0.isPresent } }
}
