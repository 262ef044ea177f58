import Foundation
import GraphStore
import LexgraphCore
import Query
import TestRequirements
import XCTest

/// No query text can crash the engine through the depth of its expressions or exhaust
/// memory through its length: every pass over an expression recurses once per level, so
/// the parser caps the height of every expression tree (`QueryLimits`), and the length of
/// the text, with an error at line:column that names the limit.
final class QueryShapeLimitsTests: XCTestCase {
    func engine() throws -> QueryEngine {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        _ = try engine.run("CREATE (:A {x: 1, name: 'a'})-[:R]->(:B {x: 2, name: 'b'})", options: QueryOptions(write: true))
        return engine
    }

    func error(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> QueryError? {
        do { try body() } catch let e as QueryError { return e } catch { XCTFail("not a QueryError: \(error)", file: file, line: line) }
        return nil
    }

    static let depth = QueryLimits.defaultMaxExpressionDepth

    // MARK: Operator chains (crashed with SIGSEGV in the binder at about 8,000 terms)

    func testChainsOfEveryOperatorUpToTheLimitRunAndLongerOnesAreRefusedAtTheirPosition() throws {
        let engine = try engine()
        // A chain of n terms is a tree n deep: at the limit it runs, one more is refused.
        let atLimit = "RETURN " + Array(repeating: "1", count: Self.depth).joined(separator: " + ") + " AS v"
        XCTAssertEqual(try engine.run(atLimit).rows, [[.int(Int64(Self.depth))]])
        let beyond = "RETURN " + Array(repeating: "1", count: Self.depth + 1).joined(separator: " + ") + " AS v"
        let e = error { _ = try engine.run(beyond) }
        XCTAssertEqual(e?.code, "ExpressionTooDeep")
        XCTAssertEqual(e?.kind, .syntax)
        // The operator that makes the tree one level too deep: the 500th '+' (the first
        // stands in column 10, each next one 4 further).
        XCTAssertEqual(e?.location, SourceLocation(line: 1, column: 10 + 4 * (Self.depth - 1)))
        XCTAssertTrue(e?.message.contains("more than \(Self.depth) levels") ?? false, e?.message ?? "")
        XCTAssertTrue(e?.message.contains("--max-expression-depth") ?? false, e?.message ?? "")

        for separator in [" + ", "+", " * ", " - ", " AND ", " OR ", " XOR ", " < ", " = ", " ^ ", " / ", " % ", " + '' + "] {
            let terms = separator.contains("AND") || separator.contains("OR") ? "true" : "1"
            let query = "MATCH (n) WHERE " + Array(repeating: terms, count: 100_000).joined(separator: separator) + " RETURN n"
            let e = error { _ = try engine.run(query) }
            XCTAssertEqual(e?.code, "ExpressionTooDeep", separator)
            XCTAssertEqual(e?.location?.line, 1, separator)
        }
    }

    func testDeepNestingOfEveryKindIsRefusedCleanly() throws {
        let engine = try engine()
        let nestings: [(String, String)] = [("(", ")"), ("[", "]"), ("{a: ", "}"), ("NOT ", ""), ("- ", ""), ("+", ""),
                                            ("CASE WHEN true THEN ", " END"), ("abs(", ")"), ("[x IN [", "] | x]"),
                                            ("size([", "])"), ("any(x IN [", "] WHERE true)"), ("CASE ", " WHEN 1 THEN 2 END")]
        for (open, close) in nestings {
            // 100,000 levels only for the cheapest forms: a megabyte of text takes a while to lex.
            for n in open == "(" || open == "NOT " ? [Self.depth + 1, 20_000, 100_000] : [Self.depth + 1, 20_000] {
                let body = String(repeating: open, count: n) + "1" + String(repeating: close, count: n)
                for query in ["RETURN \(body) AS v", "MATCH (n) WHERE \(body) RETURN n", "MATCH (n {x: \(body)}) RETURN n",
                              "RETURN \(String(repeating: open, count: n))"] {
                    let e = error { _ = try engine.run(query) }
                    XCTAssertNotNil(e?.location, "\(open) x \(n): \(e.map { "\($0.code): \($0.message)" } ?? "no error")")
                    XCTAssertTrue(["ExpressionTooDeep", "UnexpectedSyntax", "QueryTooLong"].contains(e?.code ?? ""), "\(open) x \(n): \(e?.code ?? "")")
                }
            }
        }
    }

    /// At the limit, every pass (parse, bind, plan, SQL push-down, evaluation, ORDER BY's
    /// rewrite, aggregation, release of the tree) fits on a 4 MB stack, half the main
    /// thread's (bracket nesting, the costliest, needs about 2 MB at 500 levels).
    func testExpressionsAtTheLimitFitOnASmallStack() throws {
        let engine = try engine()
        let chain = Array(repeating: "n.x", count: Self.depth - 2).joined(separator: " + ")
        let nested = String(repeating: "[", count: Self.depth - 1) + "1" + String(repeating: "]", count: Self.depth - 1)
        let negated = String(repeating: "NOT ", count: Self.depth - 1) + "true"
        func nest(_ open: String, _ close: String) -> String {
            String(repeating: open, count: Self.depth - 1) + "1" + String(repeating: close, count: Self.depth - 1)
        }
        let queries = [
            "RETURN \(nest("abs(", ")")) AS a, \(nest("CASE WHEN true THEN ", " END")) AS b, \(nest("(", ")")) AS c, \(nest("{a: ", "}")) AS d",
            "MATCH (n) WHERE \(chain) > 0 RETURN n.name AS name, \(chain) AS v ORDER BY \(chain)",
            "MATCH (n) RETURN count(\(chain)) AS c, collect(\(chain)) AS l ORDER BY count(\(chain))",
            "RETURN \(nested) AS v",
            "MATCH (n) WHERE \(negated) RETURN count(*) AS c",
            "UNWIND [\(chain.replacingOccurrences(of: "n.x", with: "1"))] AS v RETURN v",
        ]
        // Written by the thread only, read after it signalled.
        final class Failures: @unchecked Sendable { var list: [String] = [] }
        let failures = Failures()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for query in queries {
                do { _ = try engine.run(query) } catch { failures.list.append("\(error)") }
            }
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        done.wait()
        XCTAssertEqual(failures.list, [])
    }

    func testLimitsAreSettings() throws {
        let engine = try engine()
        var options = QueryOptions()
        options.limits.maxExpressionDepth = 1_000
        let deeper = "RETURN " + Array(repeating: "1", count: 800).joined(separator: " + ") + " AS v"
        XCTAssertEqual(try engine.run(deeper, options: options).rows, [[.int(800)]])
        // The same text under the default limits is refused (the parse is not reused).
        XCTAssertEqual(error { _ = try engine.run(deeper) }?.code, "ExpressionTooDeep")
        options.limits.maxExpressionDepth = 3
        XCTAssertEqual(error { _ = try engine.run("RETURN 1 + 1 + 1 + 1 AS v", options: options) }?.code, "ExpressionTooDeep")
        XCTAssertEqual(try engine.run("RETURN 1 + 1 + 1 AS v", options: options).rows, [[.int(3)]])
    }

    /// `lexgraph query --max-expression-depth N --max-query-length N`.
    func testQueryCommandTakesTheLimitsAsOptions() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        func lexgraph(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let r = try LexgraphBinary.run(arguments)
            return (r.status, r.output)
        }
        let ok = try lexgraph(["query", "--db", db, "--max-expression-depth", "4", "RETURN 1 + 1 + 1 + 1 AS v"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("4"), ok.output)
        let deep = try lexgraph(["query", "--db", db, "--max-expression-depth", "3", "RETURN 1 + 1 + 1 + 1 AS v"])
        XCTAssertNotEqual(deep.status, 0)
        XCTAssertTrue(deep.output.contains("1:18: expression nested too deeply: more than 3 levels"), deep.output)
        let long = try lexgraph(["query", "--db", db, "--max-query-length", "10", "RETURN 12345 AS v"])
        XCTAssertNotEqual(long.status, 0)
        XCTAssertTrue(long.output.contains("1:11: the query is 17 bytes long, more than the limit of 10"), long.output)
        let bad = try lexgraph(["query", "--db", db, "--max-expression-depth", "0", "RETURN 1 AS v"])
        XCTAssertTrue(bad.output.contains("the deepest expression must be at least 1, got 0"), bad.output)
    }

    // MARK: Query length

    func testQueryTextLongerThanTheLimitIsRefusedBeforeLexing() throws {
        let engine = try engine()
        let long = "RETURN '" + String(repeating: "x", count: QueryLimits.defaultMaxQueryLength) + "' AS v"
        let e = error { _ = try engine.run(long) }
        XCTAssertEqual(e?.code, "QueryTooLong")
        XCTAssertEqual(e?.location, SourceLocation(line: 1, column: QueryLimits.defaultMaxQueryLength + 1))
        XCTAssertTrue(e?.message.contains("more than the limit of 1000000") ?? false, e?.message ?? "")
        XCTAssertLessThan(e?.description.count ?? .max, 400, "the error must not repeat the text")
        // Multi-byte characters count in bytes; the position is in characters, on its line.
        var options = QueryOptions()
        options.limits.maxQueryLength = 20
        let f = error { _ = try engine.run("RETURN\n  'ééééééééé' AS v", options: options) }
        XCTAssertEqual(f?.code, "QueryTooLong")
        // "RETURN\n" and "  '" are 10 bytes, each é 2: the sixth é (column 9) crosses 20.
        XCTAssertEqual(f?.location, SourceLocation(line: 2, column: 9))
        XCTAssertEqual(try engine.run("RETURN 'ab' AS v", options: options).rows, [[.string("ab")]])
    }

    /// A caret line under a position deep inside a megabyte-long line shows a window.
    func testErrorSnippetsOfLongLinesAreShort() throws {
        let engine = try engine()
        let query = "RETURN " + Array(repeating: "1", count: 100_000).joined(separator: " + ")
        let e = error { _ = try engine.run(query) }
        let snippet = try XCTUnwrap(e?.snippet)
        XCTAssertLessThan(snippet.count, 300)
        let lines = snippet.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        // The caret stands under the '+' the error names.
        let caretColumn = lines[1].count - 1
        XCTAssertEqual(Array(lines[0])[caretColumn], "+")
    }

    /// Each bracket of `((((` first tries to read a pattern predicate and backtracks; the
    /// discarded errors built a caret snippet, a pass over the whole line, at every level:
    /// 499 brackets before a megabyte-long line took about 17 s to refuse.
    func testBacktrackingOverALongLineStaysLinear() throws {
        let engine = try engine()
        let query = "RETURN " + String(repeating: "(", count: Self.depth - 1) + String(repeating: " 1 +", count: 240_000) + "x"
        let started = Date()
        let e = error { _ = try engine.run(query) }
        XCTAssertEqual(e?.code, "ExpressionTooDeep")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    // MARK: SQLite's limits, as positioned errors

    func testFullTextSyntaxErrorsPointAtTheFtsCall() throws {
        let engine = try engine()
        for query in ["MATCH (c) WHERE fts(c, '\"unbalanced') IS NOT NULL RETURN c", "MATCH (c)\nRETURN fts(c, 'a AND') AS s"] {
            let e = error { _ = try engine.run(query) }
            XCTAssertEqual(e?.code, "InvalidFullTextQuery", query)
            XCTAssertEqual(e?.location, query.hasPrefix("MATCH (c) WHERE") ? SourceLocation(line: 1, column: 17) : SourceLocation(line: 2, column: 8), query)
            XCTAssertTrue(e?.message.hasPrefix("fts(): invalid search terms") ?? false, e?.message ?? "")
        }
        let p = error { _ = try engine.run("MATCH (c) WHERE fts(c, $q) IS NOT NULL RETURN c", parameters: ["q": .string("NEAR(")]) }
        XCTAssertEqual(p?.code, "InvalidFullTextQuery")
        XCTAssertEqual(try engine.run("MATCH (c) WHERE fts(c, 'a') IS NOT NULL RETURN c.name AS n").rows, [])
    }

    func testMatchesJoiningMoreTablesThanSQLiteAllowsAreRefusedAtTheElement() throws {
        let engine = try engine()
        func chain(_ relationships: Int) -> String {
            "MATCH (n0)" + (1...relationships).map { "-[:R]->(n\($0))" }.joined() + " RETURN count(*) AS c"
        }
        // Unlabelled nodes need no row of their own: 64 relationships are 64 tables.
        XCTAssertEqual(try engine.run(chain(64)).rows, [[.int(0)]])
        for n in [65, 201, 1000] {
            let query = chain(n)
            let e = error { _ = try engine.run(query) }
            XCTAssertEqual(e?.code, "TooManyJoins", "\(n)")
            // At the 65th relationship, the first table too many.
            let arrows = query.ranges(of: "-[:R]->")
            XCTAssertEqual(e?.location, SourceLocation(line: 1, column: query.distance(from: query.startIndex, to: arrows[64].lowerBound) + 1), "\(n)")
            XCTAssertTrue(e?.message.contains("SQLite's limit of 64") ?? false, e?.message ?? "")
        }
        let labelled = "MATCH " + (0..<70).map { "(a\($0):A)" }.joined(separator: ", ") + " RETURN count(*) AS c"
        XCTAssertEqual(error { _ = try engine.run(labelled) }?.code, "TooManyJoins")
        // 63 relationships: their 1,953 pairwise distinctness conditions stay within
        // SQLite's expression depth.
        XCTAssertEqual(try engine.run(chain(63)).rows, [[.int(0)]])
    }

    func testHugePropertyMapsRun() throws {
        let engine = try engine()
        let entries = (0..<5_000).map { "k\($0): \($0)" }.joined(separator: ", ")
        XCTAssertEqual(try engine.run("MATCH (n {\(entries)}) RETURN count(n) AS c").rows, [[.int(0)]])
        // 40,000 conditions: SQLite parses `a AND b AND ...` as a tree as deep as the list
        // (at most 1,000); the planner groups them.
        let many = (0..<40_000).map { "k\($0): \($0)" }.joined(separator: ", ")
        XCTAssertEqual(try engine.run("WITH 1 AS one\nMATCH (n {\(many)}) RETURN count(n) AS c").rows, [[.int(0)]])
    }
}
