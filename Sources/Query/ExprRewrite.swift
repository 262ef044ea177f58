/// Structural comparison and substitution of expressions, for ORDER BY items that
/// repeat a projected expression (`RETURN a.name AS n, count(*) ORDER BY a.name`).
extension Expr {
    /// A position-free rendering: equal strings mean the same expression.
    var canonical: String {
        switch kind {
        case .literal(let v): return "lit(\(v))"
        case .parameter(let n): return "$\(n)"
        case .variable(let n): return "var(\(n))"
        case .property(let b, let k): return "\(b.canonical).\(k)"
        case .index(let a, let b): return "\(a.canonical)[\(b.canonical)]"
        case .slice(let a, let b, let c): return "\(a.canonical)[\(b?.canonical ?? "")..\(c?.canonical ?? "")]"
        case .list(let items): return "[" + items.map(\.canonical).joined(separator: ",") + "]"
        case .map(let entries): return "{" + entries.map { "\($0.0):\($0.1.canonical)" }.joined(separator: ",") + "}"
        case .unary(let op, let a): return "(\(op.rawValue) \(a.canonical))"
        case .binary(let op, let a, let b): return "(\(a.canonical) \(op.rawValue) \(b.canonical))"
        case .isNull(let a, let n): return "(\(a.canonical) IS \(n ? "NOT " : "")NULL)"
        case .hasLabels(let a, let l): return "(\(a.canonical):\(l.joined(separator: ":")))"
        case .call(let n, let d, let args): return "\(n)(\(d ? "DISTINCT " : "")" + args.map(\.canonical).joined(separator: ",") + ")"
        case .countStar: return "count(*)"
        case .caseWhen(let s, let b, let o):
            return "CASE \(s?.canonical ?? "") " + b.map { "WHEN \($0.0.canonical) THEN \($0.1.canonical)" }.joined(separator: " ") + " ELSE \(o?.canonical ?? "") END"
        case .listComprehension(let v, let l, let f, let m): return "[\(v) IN \(l.canonical) WHERE \(f?.canonical ?? "") | \(m?.canonical ?? "")]"
        case .quantifier(let q, let v, let l, let p): return "\(q)(\(v) IN \(l.canonical) WHERE \(p?.canonical ?? ""))"
        case .pattern(let part): return "pattern@\(part.position)"
        }
    }

    /// Replaces every subexpression equal to one of `items`' expressions by a reference
    /// to that item's column.
    func replacingProjected(_ items: [ProjectionItem]) -> Expr {
        let table = Dictionary(items.map { ($0.expression.canonical, $0.name) }, uniquingKeysWith: { a, _ in a })
        return replacing(table)
    }

    private func replacing(_ table: [String: String]) -> Expr {
        if let name = table[canonical] { return Expr(.variable(name), position) }
        func r(_ e: Expr) -> Expr { e.replacing(table) }
        var copy = self
        switch kind {
        case .literal, .parameter, .variable, .countStar, .pattern: return self
        case .property(let b, let k): copy.kind = .property(r(b), k)
        case .index(let a, let b): copy.kind = .index(r(a), r(b))
        case .slice(let a, let b, let c): copy.kind = .slice(r(a), b.map(r), c.map(r))
        case .list(let items): copy.kind = .list(items.map(r))
        case .map(let entries): copy.kind = .map(entries.map { ($0.0, r($0.1)) })
        case .unary(let op, let a): copy.kind = .unary(op, r(a))
        case .binary(let op, let a, let b): copy.kind = .binary(op, r(a), r(b))
        case .isNull(let a, let n): copy.kind = .isNull(r(a), negated: n)
        case .hasLabels(let a, let l): copy.kind = .hasLabels(r(a), l)
        case .call(let n, let d, let args):
            // Inside an aggregate the row's own variables stay (count(you.age)).
            if Functions.isAggregate(n) { return self }
            copy.kind = .call(n, distinct: d, args.map(r))
        case .caseWhen(let s, let b, let o): copy.kind = .caseWhen(subject: s.map(r), b.map { (r($0.0), r($0.1)) }, otherwise: o.map(r))
        case .listComprehension, .quantifier: return self
        }
        return copy
    }
}
