import Foundation
import GraphStore
import Query
import TestRequirements
import XCTest

/// Every query has one deadline, one memory budget and one row limit, and they bound the
/// work done in Swift (projections, UNWIND, list comprehensions, range(), collect,
/// sorting, CREATE) as well as the SQL.
final class QueryLimitsTests: XCTestCase {
    func engine() throws -> QueryEngine { QueryEngine(store: try GraphStore(inMemoryWith: .permissive)) }

    // MARK: Time

    /// 100,000 list comprehensions over 1,000 items each: all of it runs in Swift, none
    /// in SQLite, so only the evaluator's own checks of the deadline can stop it.
    func testTimeLimitStopsInMemoryEvaluation() throws {
        let engine = try engine()
        let started = Date()
        let e = queryError {
            _ = try engine.run("UNWIND range(1, 100000) AS i WITH i, size([x IN range(1, 1000) WHERE x % 7 = 0]) AS s RETURN sum(s)",
                               options: QueryOptions(timeLimit: 0.2))
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(e?.kind, .timeout)
        XCTAssertEqual(e?.code, "Timeout")
        XCTAssertTrue(e?.message.contains("time limit of 0.2 s") ?? false, e?.message ?? "")
        XCTAssertLessThan(elapsed, 2, "stopped \(elapsed) s after start for a 0.2 s limit")
    }

    /// Sorting checks the deadline too: the sort keys are two shared lists of 1,000 and
    /// 1,001 items, alternating, so each of the 300,000 or so comparisons walks 1,000
    /// items twice, and the sort is the work (7.7 s without the check).
    func testTimeLimitStopsSorting() throws {
        let engine = try engine()
        let started = Date()
        let e = queryError {
            _ = try engine.run("WITH range(1, 1000) AS b1, range(1, 1001) AS b2 UNWIND range(1, 20000) AS i RETURN i ORDER BY CASE i % 2 WHEN 0 THEN b1 ELSE b2 END LIMIT 1",
                               options: QueryOptions(timeLimit: 0.3))
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(e?.kind, .timeout)
        XCTAssertLessThan(elapsed, 2, "stopped \(elapsed) s after start for a 0.3 s limit")
    }

    // MARK: Rows

    /// CREATE makes at most the row limit's number of rows; over it nothing is written.
    func testRowLimitBoundsCreateAndWritesNothing() throws {
        let engine = try engine()
        let e = queryError {
            _ = try engine.run("UNWIND range(1, 20) AS i CREATE (:A {i: i})", options: QueryOptions(write: true, rowLimit: 10))
        }
        XCTAssertEqual(e?.kind, .rowLimit)
        XCTAssertTrue(e?.message.contains("row limit of 10") ?? false, e?.message ?? "")
        XCTAssertEqual(try engine.run("MATCH (n) RETURN count(n) AS c").rows, [[.int(0)]])
        _ = try engine.run("UNWIND range(1, 10) AS i CREATE (:A {i: i})", options: QueryOptions(write: true, rowLimit: 10))
        XCTAssertEqual(try engine.run("MATCH (n:A) RETURN count(n) AS c").rows, [[.int(10)]])
    }

    // MARK: Validation

    /// A limit that is not a positive finite number is refused before anything runs.
    func testNonsenseLimitsAreRefused() throws {
        let engine = try engine()
        for seconds in [Double.nan, -1, 0, .infinity, -.infinity] {
            let e = queryError { _ = try engine.run("RETURN 1 AS x", options: QueryOptions(timeLimit: seconds)) }
            XCTAssertEqual(e?.kind, .argument, "time limit \(seconds)")
            XCTAssertEqual(e?.code, "InvalidLimit", "time limit \(seconds)")
            XCTAssertTrue(e?.message.contains("time limit") ?? false, e?.message ?? "")
        }
        for rows in [0, -5] {
            let e = queryError { _ = try engine.run("RETURN 1 AS x", options: QueryOptions(rowLimit: rows)) }
            XCTAssertEqual(e?.code, "InvalidLimit", "row limit \(rows)")
            XCTAssertTrue(e?.message.contains("row limit") ?? false, e?.message ?? "")
        }
    }

    // MARK: Memory

    /// Peak resident memory of this process so far, in bytes (Linux reports KiB).
    func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// 3,000 lists of a million integers: refused at the limit, quickly, without the
    /// process growing towards the 70 GB the lists would take.
    func testMemoryLimitRefusesCollectingHugeLists() throws {
        let engine = try engine()
        let peakBefore = peakResidentBytes()
        let started = Date()
        let e = queryError {
            _ = try engine.run("UNWIND range(1, 3000) AS i WITH collect(range(1, 1000000)) AS big RETURN size(big)",
                               options: QueryOptions(memoryLimit: 64 << 20))
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(e?.kind, .memoryLimit)
        XCTAssertEqual(e?.code, "MemoryLimit")
        XCTAssertTrue(e?.message.contains("memory limit of 64 MiB") ?? false, e?.message ?? "")
        XCTAssertLessThan(elapsed, 2, "refused after \(elapsed) s")
        let grown = peakResidentBytes() - peakBefore
        XCTAssertLessThan(grown, 256 << 20, "the process grew by \(grown >> 20) MiB for a 64 MiB limit")
    }

    /// range() knows its length: an oversized one is refused before it is built, with the
    /// position of the call.
    func testMemoryLimitRefusesAHugeRangeBeforeBuildingIt() throws {
        let engine = try engine()
        let started = Date()
        let e = queryError { _ = try engine.run("RETURN size(range(1, 4000000000)) AS n") }
        XCTAssertEqual(e?.kind, .memoryLimit)
        XCTAssertEqual(e?.location?.description, "1:13")
        XCTAssertTrue(e?.message.contains("memory limit of 1 GiB") ?? false, e?.message ?? "")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        // The full Int64 span is counted without overflowing (it trapped: `hi - lo`).
        let extremes: [String: CypherValue] = ["min": .int(.min), "max": .int(.max)]
        let span = queryError { _ = try engine.run("RETURN size(range($min, $max)) AS n", parameters: extremes) }
        XCTAssertEqual(span?.kind, .memoryLimit)
        XCTAssertEqual(try engine.run("RETURN range($max, $min, $min) AS r", parameters: extremes).rows,
                       [[.list([.int(.max), .int(-1)])]])
        XCTAssertEqual(try engine.run("RETURN range($min, $max, $max) AS r", parameters: extremes).rows,
                       [[.list([.int(.min), .int(-1), .int(.max - 1)])]])
    }

    /// Strings that double in a comprehension are refused before they are built; so is
    /// replace() growing a string past the limit.
    func testMemoryLimitRefusesGrowingStrings() throws {
        let engine = try engine()
        let big = String(repeating: "a", count: 1 << 20)
        let e = queryError {
            _ = try engine.run("UNWIND range(1, 100) AS i RETURN size([x IN range(1, 100) | $s + $s]) AS n",
                               parameters: ["s": .string(big)], options: QueryOptions(memoryLimit: 32 << 20))
        }
        XCTAssertEqual(e?.kind, .memoryLimit)
        let replaced = queryError {
            _ = try engine.run("RETURN size(replace($s, 'a', $s)) AS n", parameters: ["s": .string(big)])
        }
        XCTAssertEqual(replaced?.kind, .memoryLimit)
    }

    /// What is only built and dropped within a row is not held: many rows each building a
    /// list far larger than nothing, under a small limit, run through.
    func testGarbageOfEachRowIsNotHeld() throws {
        let engine = try engine()
        let result = try engine.run("UNWIND range(1, 2000) AS i WITH i, size([x IN range(1, 1000) WHERE x % 7 = 0]) AS s RETURN sum(s) AS t",
                                    options: QueryOptions(memoryLimit: 4 << 20))
        XCTAssertEqual(result.rows, [[.int(2000 * 142)]])
        // One list passed through every row of an UNWIND is one list, not 2,000.
        let shared = try engine.run("WITH range(1, 100000) AS r UNWIND range(1, 2000) AS i RETURN sum(size(r)) AS t",
                                    options: QueryOptions(memoryLimit: 16 << 20))
        XCTAssertEqual(shared.rows, [[.int(2000 * 100000)]])
    }

    func testMemorySizesParseAndPrint() {
        XCTAssertEqual(MemorySize.parse("512M"), 512 << 20)
        XCTAssertEqual(MemorySize.parse("2G"), 2 << 30)
        XCTAssertEqual(MemorySize.parse("1.5GB"), 3 << 29)
        XCTAssertEqual(MemorySize.parse("64MiB"), 64 << 20)
        XCTAssertEqual(MemorySize.parse("10k"), 10 << 10)
        XCTAssertEqual(MemorySize.parse("1048576"), 1 << 20)
        XCTAssertEqual(MemorySize.parse("-1M"), -(1 << 20))
        for bad in ["", "M", "lots", "1e9", "nan", "inf", "1T"] { XCTAssertNil(MemorySize.parse(bad), bad) }
        XCTAssertEqual(MemorySize.describe(1 << 30), "1 GiB")
        XCTAssertEqual(MemorySize.describe(3 << 29), "1.5 GiB")
        XCTAssertEqual(MemorySize.describe(100), "100 B")
    }

    // MARK: Nesting

    /// Each `WITH [x] AS x` wraps the value in one more list. Every pass over a value
    /// recurses once per level, so 60,000 levels overflowed the stack (releasing or
    /// measuring the value killed the process); a value is refused once it nests more than
    /// `maxValueDepth` levels, when the clause that made it keeps it.
    func testValueNestingIsBoundedInsteadOfOverflowingTheStack() throws {
        let engine = try engine()
        let deep = "WITH 1 AS x " + String(repeating: "WITH [x] AS x ", count: 60_000) + "RETURN size(x) AS n"
        var options = QueryOptions(timeLimit: 60)
        options.limits.maxQueryLength = deep.utf8.count
        let e = queryError { _ = try engine.run(deep, options: options) }
        XCTAssertEqual(e?.code, "ValueTooDeep", e?.message ?? "no error")
        XCTAssertTrue(e?.message.contains("more than 1000 levels") ?? false, e?.message ?? "")
        // At the WITH that would have kept the 1,001st level: clause 1,002 of the query.
        XCTAssertEqual(e?.location?.column, "WITH 1 AS x ".count + 1_000 * "WITH [x] AS x ".count + 1, "\(String(describing: e))")
        // Below the bound the same construction runs, and the value is what it says.
        let fine = "WITH 1 AS x " + String(repeating: "WITH [x] AS x ", count: 900) + "RETURN size(x) AS n"
        XCTAssertEqual(try engine.run(fine).rows, [[.int(1)]])
        // Lists large enough to be counted once by address (each level holds the one below
        // eight times): the depth is still checked where a counted buffer is met again.
        let big = "WITH 1 AS x " + String(repeating: "WITH [x, x, x, x, x, x, x, x] AS x ", count: 1_001) + "RETURN size(x) AS n"
        XCTAssertEqual(queryError { _ = try engine.run(big, options: options) }?.code, "ValueTooDeep")
    }

    // MARK: The CLI's options


    /// Runs the binary; its exit status, stdout and stderr.
    func lexgraph(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try LexgraphBinary.run(arguments)
        return (r.status, r.stdout, r.stderr)
    }

    /// `query` and `shell` refuse nonsense limits before opening anything.
    func testCLIRefusesNonsenseLimits() throws {
        let cases: [([String], String)] = [
            (["query", "--time-limit", "nan", "RETURN 1"], "the time limit must be a finite number of seconds greater than 0, got nan"),
            (["query", "--time-limit", "inf", "RETURN 1"], "the time limit must be a finite number of seconds greater than 0, got inf"),
            (["query", "--time-limit", "0", "RETURN 1"], "the time limit must be a finite number of seconds greater than 0, got 0.0"),
            (["query", "--time-limit=-2", "RETURN 1"], "the time limit must be a finite number of seconds greater than 0, got -2.0"),
            (["query", "--row-limit", "0", "RETURN 1"], "the row limit must be at least 1, got 0"),
            (["query", "--memory-limit", "0", "RETURN 1"], "the memory limit must be greater than 0, got 0 bytes"),
            (["query", "--memory-limit", "lots", "RETURN 1"], "The value 'lots' is invalid for '--memory-limit <size>'"),
            (["shell", "--time-limit", "nan"], "the time limit must be a finite number of seconds greater than 0, got nan"),
            (["shell", "--memory-limit=-1G"], "the memory limit must be greater than 0, got -1073741824 bytes"),
            (["shell", "--row-limit=-5"], "the row limit must be at least 1, got -5"),
        ]
        for (arguments, message) in cases {
            let run = try lexgraph(arguments + ["--db", "/nonexistent/none.sqlite"])
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertTrue(run.err.contains(message), "\(arguments): \(run.err)")
        }
    }

    /// `--memory-limit` reaches the engine, and `--help` shows the limits with their defaults.
    func testCLIMemoryLimitOption() throws {
        let path = NSTemporaryDirectory() + "lexgraph-limits-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        let refused = try lexgraph(["query", "--db", path, "--memory-limit", "8M",
                                    "UNWIND range(1, 3000) AS i WITH collect(range(1, 1000000)) AS big RETURN size(big)"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("memory limit of 8 MiB"), refused.err)
        let fits = try lexgraph(["query", "--db", path, "--memory-limit", "8M", "--format", "csv", "RETURN size(range(1, 1000)) AS n"])
        XCTAssertEqual(fits.status, 0, fits.err)
        XCTAssertEqual(fits.out, "n\n1000\n")
        for command in ["query", "shell"] {
            let help = try lexgraph([command, "--help"]).out
            XCTAssertTrue(help.contains("--memory-limit <size>"), help)
            XCTAssertTrue(help.contains("(default: 1 GiB)"), help)
            XCTAssertTrue(help.contains("--time-limit <time-limit>"), help)
            XCTAssertTrue(help.contains("--row-limit <row-limit>"), help)
        }
    }
}
