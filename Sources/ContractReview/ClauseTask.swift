import GraphStore

/// The three clause tasks over the shared data (`clauses/` under the data folder), each
/// with its source file, its committed split file and how its items are keyed in the
/// contracts graph.
public enum ClauseTask: String, CaseIterable, Sendable {
    /// 394 clause types, one per clause (`clause_types_395.csv`); single-label.
    case clauseTypes = "clause-types"
    /// CUAD's 38 categories (`cuad.tsv`); one item per unique text, multi-label.
    case cuad
    /// UNFAIR-ToS's 8 unfair-term labels (`unfair_tos.tsv`); one item per unique text,
    /// multi-label, the empty list meaning "Other".
    case unfairTOS = "unfair-tos"

    /// The source file, relative to the data folder.
    public var dataFile: String {
        switch self {
        case .clauseTypes: return "clauses/clause_types_395.csv"
        case .cuad: return "clauses/cuad.tsv"
        case .unfairTOS: return "clauses/unfair_tos.tsv"
        }
    }

    /// How the source file is read: as the contracts recipe reads it, so record numbers agree.
    public var format: SourceFormat {
        self == .clauseTypes ? .csv : .tsv
    }

    /// The committed split file, relative to the project root (tools/make_clause_splits.py).
    public var splitFile: String {
        switch self {
        case .clauseTypes: return "graphs/contracts/splits/clause_types_395.csv"
        case .cuad: return "graphs/contracts/splits/cuad.csv"
        case .unfairTOS: return "graphs/contracts/splits/unfair_tos.csv"
        }
    }

    /// The source name in the contracts graph's keys (`clause:SOURCE:{row}`).
    public var graphSource: String {
        switch self {
        case .clauseTypes: return "clause-corpus"
        case .cuad: return "cuad"
        case .unfairTOS: return "unfair-tos"
        }
    }

    /// The graph key of the clause node made from data record `row` (1-based, header excluded).
    public func key(row: Int) -> String { "clause:\(graphSource):\(row)" }

    /// Whether an item has a list of labels (possibly empty) rather than exactly one.
    public var isMultiLabel: Bool { self != .clauseTypes }

    /// Whether the split file assigns folds (scored by cross-validation) rather than
    /// train/dev/test.
    public var usesFolds: Bool { self == .unfairTOS }

    /// The number of cross-validation folds of a fold task.
    public static let foldCount = 5

    /// UNFAIR-ToS's label for a clause that is not unfair: an item with only such rows has
    /// no labels.
    public static let unfairOtherLabel = "Other"
}
