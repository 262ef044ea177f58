import LexgraphCore

/// The syntax tree of one query, as the parser builds it and the binder checks it.

/// An expression with the position it starts at (for positioned errors).
public struct Expr: Sendable {
    public indirect enum Kind: Sendable {
        case literal(CypherValue)
        case parameter(String)
        case variable(String)
        case property(Expr, String)
        case index(Expr, Expr)
        case slice(Expr, Expr?, Expr?)
        case list([Expr])
        case map([(String, Expr)])
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        case isNull(Expr, negated: Bool)
        case hasLabels(Expr, [String])
        /// A function call; `name` lower-cased. `count(*)` is `countStar`.
        case call(String, distinct: Bool, [Expr])
        case countStar
        case caseWhen(subject: Expr?, [(Expr, Expr)], otherwise: Expr?)
        /// `[x IN list WHERE pred | expr]`
        case listComprehension(String, Expr, filter: Expr?, map: Expr?)
        /// `any/all/none/single(x IN list WHERE pred)`
        case quantifier(String, String, Expr, Expr?)
        /// A relationship pattern used as a predicate: true when it has a match.
        case pattern(PatternPart)
    }
    public var kind: Kind
    public var position: SourcePosition
    /// The height of the tree as built (a leaf is 1): the parser refuses a tree deeper
    /// than `QueryLimits.maxExpressionDepth`. Rewrites that replace subtrees keep it,
    /// an upper bound then.
    public let height: Int

    public init(_ kind: Kind, _ position: SourcePosition) {
        self.kind = kind
        self.position = position
        self.height = 1 + Expr.childHeight(kind)
    }

    /// The height of the tallest child of `kind` (0 for a leaf), without recursing. Never
    /// inlined: in the parser's recursive functions its temporaries would enlarge every
    /// frame of every nesting level.
    @inline(never)
    static func childHeight(_ kind: Kind) -> Int {
        func h(_ e: Expr?) -> Int { e?.height ?? 0 }
        switch kind {
        case .literal, .parameter, .variable, .countStar: return 0
        case .property(let b, _): return b.height
        case .index(let a, let b): return max(a.height, b.height)
        case .slice(let a, let b, let c): return max(a.height, h(b), h(c))
        case .list(let items): return items.map(\.height).max() ?? 0
        case .map(let entries): return entries.map(\.1.height).max() ?? 0
        case .unary(_, let a): return a.height
        case .binary(_, let a, let b): return max(a.height, b.height)
        case .isNull(let a, _): return a.height
        case .hasLabels(let a, _): return a.height
        case .call(_, _, let args): return args.map(\.height).max() ?? 0
        case .caseWhen(let s, let branches, let o):
            return max(h(s), h(o), branches.map { max($0.0.height, $0.1.height) }.max() ?? 0)
        case .listComprehension(_, let l, let f, let m): return max(l.height, h(f), h(m))
        case .quantifier(_, _, let l, let p): return max(l.height, h(p))
        case .pattern(let part):
            let maps = part.nodes.map(\.properties) + part.relationships.map(\.properties)
            return maps.map(h).max() ?? 0
        }
    }
}

public enum UnaryOp: String, Sendable { case not = "NOT", minus = "-", plus = "+" }

public enum BinaryOp: String, Sendable {
    case or = "OR", xor = "XOR", and = "AND"
    case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">="
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case `in` = "IN", startsWith = "STARTS WITH", endsWith = "ENDS WITH", contains = "CONTAINS", regex = "=~"
}

public enum Direction: Sendable { case outgoing, incoming, both }

public struct NodePattern: Sendable {
    public var variable: String?
    public var labels: [String]
    public var labelPositions: [SourcePosition]
    public var properties: Expr?
    public var position: SourcePosition
}

public struct RelationshipPattern: Sendable {
    public var variable: String?
    public var types: [String]
    public var typePositions: [SourcePosition]
    public var properties: Expr?
    public var direction: Direction
    /// `nil` for a single relationship; `(min, max)` for `*min..max` (nil = open).
    public var length: (min: Int?, max: Int?)?
    public var position: SourcePosition
}

/// `p = (a)-[r]->(b)...`: `nodes.count == relationships.count + 1`.
public struct PatternPart: Sendable {
    public var pathVariable: String?
    public var nodes: [NodePattern]
    public var relationships: [RelationshipPattern]
    public var position: SourcePosition
}

public struct ProjectionItem: Sendable {
    public var expression: Expr
    public var alias: String?
    /// The item's source text: its column name when there is no alias.
    public var text: String
    public var name: String { alias ?? text }
}

public struct SortItem: Sendable {
    public var expression: Expr
    public var text: String
    public var ascending: Bool
}

public struct Projection: Sendable {
    public var distinct: Bool
    public var star: Bool
    public var items: [ProjectionItem]
    public var orderBy: [SortItem]
    public var skip: Expr?
    public var limit: Expr?
    public var position: SourcePosition
}

public enum Clause: Sendable {
    case match(optional: Bool, [PatternPart], where: Expr?, SourcePosition)
    case unwind(Expr, String, SourcePosition)
    case with(Projection, where: Expr?)
    case `return`(Projection)
    case create([PatternPart], SourcePosition)
}

/// What to do with the query besides running it.
public enum QueryMode: Sendable { case run, explain, profile }

public struct QueryAST: Sendable {
    public var mode: QueryMode
    /// `AS OF 'YYYY-MM-DD'` (prefix or suffix): the date every matched element must be valid on.
    public var asOf: LegalDate?
    public var clauses: [Clause]
    public var source: String
}
