/// Bounds on a query's text and shape, checked by the lexer, parser and planner before
/// anything runs, so that no input can exhaust the stack or memory on its way in.
///
/// Every pass over an expression (parser, binder, rewrites, planner, evaluator, the
/// release of the tree itself) recurses once per level of the tree, and a chain
/// `1 + 1 + ... + 1` is a tree as deep as it is long. One depth bound on the tree,
/// enforced where the tree is built, bounds them all.
public struct QueryLimits: Sendable, Equatable {
    /// The longest query text, in UTF-8 bytes. The lexer holds the text as `[Character]`
    /// (16 bytes a character) and the tokens beside it, so a megabyte of text costs tens
    /// of megabytes while parsing.
    public var maxQueryLength: Int
    /// The deepest expression: the height of its tree (an operator chain of n terms is n
    /// deep, each bracket, NOT, unary minus, CASE or call one more level) and the nesting
    /// of brackets while parsing. 500 levels take well under a megabyte of stack in the
    /// deepest pass.
    public var maxExpressionDepth: Int

    public static let defaultMaxQueryLength = 1_000_000
    public static let defaultMaxExpressionDepth = 500

    /// The most tables one MATCH may join (nodes and relationships with their own row,
    /// variable-length relationships): SQLite's own limit for one SELECT, fixed when
    /// SQLite is compiled, so not a setting.
    public static let maxJoinedTables = 64

    public init(maxQueryLength: Int = QueryLimits.defaultMaxQueryLength,
                maxExpressionDepth: Int = QueryLimits.defaultMaxExpressionDepth) {
        self.maxQueryLength = maxQueryLength
        self.maxExpressionDepth = maxExpressionDepth
    }
}
