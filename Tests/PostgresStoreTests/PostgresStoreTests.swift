import Compliance
import Foundation
import GRDB
import GraphStore
import LexgraphCore
import PostgresStore
import TestRequirements
import XCTest

/// The PostgreSQL store on the real server of tools/pg_test_server.sh (each test in a
/// database of its own): opening and its refusals, loads through the one validating
/// writer and their all-or-nothing copy, the same bad load refused on both backends.
final class PostgresStoreTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh database on the test server, dropped when the test ends.
    func freshDatabase(_ name: String) throws -> PostgresLocation {
        let url = try PostgresTestServer.freshDatabase(name)
        addTeardownBlock { PostgresTestServer.drop(url) }
        return try PostgresLocation(url: url)
    }

    func tempFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func caseLine(_ i: Int, name: String? = nil, term: String? = nil) -> String {
        #"{"key": "scotus:\#(i)US1", "type": "SupremeCourtCase", "props": {"name": "\#(name ?? "Case \(i)")", "term": \#(term ?? "\(1800 + i)")}}"#
    }

    /// Writes the generic recipe's two files (JSONL nodes, CSV edges) and the recipe.
    func recipe(in dir: URL, nodes: [String], edges: [String]) throws -> Recipe {
        try (nodes.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("nodes.jsonl"), atomically: true, encoding: .utf8)
        try ((["type,from,to"] + edges).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("edges.csv"), atomically: true, encoding: .utf8)
        let yaml = """
            recipe: generic
            sources:
              - file: nodes.jsonl
                nodes:
                  - {key: "{key}", type: "{type}", properties_from: props}
              - file: edges.csv
                edges:
                  - {type: "{type}", from: "{from}", to: "{to}"}
            """
        let url = dir.appendingPathComponent("recipe.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe(contentsOf: url.path, displayName: "recipe.yaml")
    }

    /// A load into the SQLite file at `path` (made with the legal ontology when missing),
    /// as `lexgraph load --init` runs it.
    func load(_ recipe: Recipe, data: URL, path: String, key: DatabaseKeySetting = .noKey) throws -> LoadReport {
        let store = try BuildCatalog.openForBuild(path: path, root: PostgresStoreTests.root, key: key)
        return try GraphLoader(store: store, dataFolder: data, user: "tester").load([recipe])
    }

    /// A load on the server, through its staging copy.
    @discardableResult
    func load(_ recipe: Recipe, data: URL, server: PostgresGraphStore) throws -> LoadReport {
        try copiedLoad(recipe, data: data, server: server).report
    }

    /// The same, with what it copied.
    func copiedLoad(_ recipe: Recipe, data: URL, server: PostgresGraphStore) throws -> (report: LoadReport, copied: PostgresGraphStore.CopyCounts?) {
        try server.load(dryRun: false) { try load(recipe, data: data, path: $0) }
    }

    /// Every copied table of the server and of the SQLite store at `path`, row for row
    /// (props compared as JSON values, jsonb keeping the value, not the text).
    func assertSameGraph(_ server: PostgresGraphStore, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let store = try GraphStore(path: path, mode: .readOnly, key: .noKey)
        for table in GraphCopy.Table.loadOrder {
            var mine: [[DatabaseValue]] = []
            try store.read { db in try GraphCopy.forEachRow(db, table) { mine.append($0) } }
            let columns = table == .nodeText ? ["node_id", "body"] : table.columns.map { $0 == "props" ? "props::text" : $0 == "user" ? "\"user\"" : $0 }
            let order = table == .nodeLabel ? "node_id, label COLLATE \"C\"" : table == .storeMeta ? "key COLLATE \"C\"" : columns[0]
            let filter = table == .storeMeta ? " WHERE key NOT IN ('lexgraph_schema', 'lexgraph_generation')" : ""
            var theirs = try server.rows("SELECT \(columns.joined(separator: ", ")) FROM \(table.rawValue)\(filter) ORDER BY \(order)", arguments: [])
            if table == .storeMeta { mine = mine.filter { String.fromDatabaseValue($0[0]).map { !["lexgraph_schema", "lexgraph_generation"].contains($0) } ?? true } }
            if let props = table.columns.firstIndex(of: "props") {
                for i in mine.indices { mine[i][props] = try Value.parseJSON(String.fromDatabaseValue(mine[i][props]) ?? "{}").jsonText.databaseValue }
                for i in theirs.indices { theirs[i][props] = try Value.parseJSON(String.fromDatabaseValue(theirs[i][props]) ?? "{}").jsonText.databaseValue }
            }
            // Load times and ids of the log differ between the two runs; the rest must not.
            if table == .loadLog {
                mine = mine.map { Array($0.dropFirst(3)) }
                theirs = theirs.map { Array($0.dropFirst(3)) }
            }
            if table == .ontologyVersion {
                mine = mine.map { r in r.enumerated().filter { $0.offset != 2 }.map(\.element) }
                theirs = theirs.map { r in r.enumerated().filter { $0.offset != 2 }.map(\.element) }
            }
            XCTAssertEqual(theirs, mine, "table \(table.rawValue)", file: file, line: line)
        }
    }

    // MARK: Opening

    func testOpeningRefusalsSayWhatIsWrong() throws {
        let port = try PostgresTestServer.port()
        func message(_ url: String, create: Bool = false) -> String {
            do {
                _ = try PostgresGraphStore(try PostgresLocation(url: url), create: create)
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        // No server on that port.
        let down = message("postgres://postgres@127.0.0.1:1/lexgraph_test")
        XCTAssertTrue(down.hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:1"), down)
        XCTAssertTrue(down.contains("is the server running"), down)
        // A user the server does not know, a database it does not have.
        let user = message("postgres://nobody_here@127.0.0.1:\(port)/lexgraph_test")
        XCTAssertTrue(user.hasPrefix("PostgreSQL at 127.0.0.1:\(port) refused user 'nobody_here' for database 'lexgraph_test'"), user)
        let database = message("postgres://postgres@127.0.0.1:\(port)/no_such_db_here")
        XCTAssertTrue(database.hasPrefix("PostgreSQL at 127.0.0.1:\(port) has no database 'no_such_db_here'"), database)
        // An empty database is not opened as a graph, only created as one.
        let empty = try freshDatabase("empty")
        let notYet = message(empty.description)
        XCTAssertEqual(notYet, "the PostgreSQL database \(empty) holds no Lexgraph graph yet: run `lexgraph build GRAPH --db \(empty)` (or `lexgraph load RECIPE --db \(empty)`)")
        XCTAssertEqual(message(empty.description, create: true), "opened")
        XCTAssertEqual(message(empty.description), "opened")
        // Somebody else's tables, and a graph of another schema version.
        let foreign = try freshDatabase("foreign")
        try PostgresTestServer.run(port: port, database: foreign.database, "CREATE TABLE customers (id int)")
        let refused = message(foreign.description, create: true)
        XCTAssertTrue(refused.contains("is not a Lexgraph database (it has tables of its own: customers)"), refused)
        // Graphs of the first schema (no audit trail, the full text unstemmed) and of the
        // second (unstemmed) are brought to this one on opening.
        let unstemmed = """
            ALTER TABLE node_fts DROP COLUMN document; DROP TEXT SEARCH CONFIGURATION lexgraph_fts; DROP TEXT SEARCH DICTIONARY lexgraph_porter;
            ALTER TABLE node_fts ADD COLUMN document tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
            CREATE INDEX node_fts_document ON node_fts USING gin(document);
            """
        for (version, older) in [(1, unstemmed + "DROP TABLE audit_log; DROP FUNCTION audit_log_append_only;"), (2, unstemmed)] {
            try PostgresTestServer.run(port: port, database: empty.database, older + "UPDATE store_meta SET value = '\(version)' WHERE key = 'lexgraph_schema'")
            XCTAssertEqual(message(empty.description), "opened", "version \(version)")
            XCTAssertEqual(try PostgresTestServer.run(port: port, database: empty.database, "SELECT value FROM store_meta WHERE key = 'lexgraph_schema'"), "3\n")
            XCTAssertEqual(try PostgresTestServer.run(port: port, database: empty.database, "SELECT count(*) FROM audit_log"), "0\n")
            XCTAssertEqual(try PostgresTestServer.run(port: port, database: empty.database, "SELECT to_tsvector('lexgraph_fts', 'Evictions')"), "'evict':1\n")
        }
        try PostgresTestServer.run(port: port, database: empty.database, "UPDATE store_meta SET value = '4' WHERE key = 'lexgraph_schema'")
        let newer = message(empty.description)
        XCTAssertTrue(newer.contains("holds a Lexgraph graph of schema version 4; this lexgraph reads and writes version 3"), newer)
        // Bad URLs never show the password.
        XCTAssertThrowsError(try PostgresLocation(url: "postgres://me:secret@127.0.0.1:5432")) { error in
            XCTAssertEqual("\(error)", "bad PostgreSQL URL 'postgres://me:***@127.0.0.1:5432': no database name after the host (expected postgres://user@host:port/database)")
        }
    }

    // MARK: Loads

    /// A load on the server gives the graph the same load gives a SQLite file, row for
    /// row; a second load of the same data changes nothing (the staging copy reads back
    /// exactly what was written).
    func testLoadMatchesTheSQLiteLoadAndReloadsIdempotently() throws {
        let server = try PostgresGraphStore(try freshDatabase("load"), create: true)
        let dir = try tempFolder()
        let r = try recipe(in: dir, nodes: (1...5).map { caseLine($0) } + [caseLine(6, name: "Tab\\tand \\\\ back\\nslash ünï")],
                           edges: ["CITES,scotus:2US1,scotus:1US1", "CITES,scotus:3US1,scotus:1US1", "CITES,scotus:6US1,scotus:2US1"])
        let sqlitePath = dir.appendingPathComponent("graph.sqlite").path
        let local = try load(r, data: dir, path: sqlitePath)
        let remote = try load(r, data: dir, server: server)
        XCTAssertEqual(remote.counts, local.counts)
        XCTAssertEqual(remote.counts.nodesInserted, 6)
        let counts = try server.rowCounts()
        XCTAssertEqual(counts["node"], 6)
        XCTAssertEqual(counts["edge"], 3)
        XCTAssertEqual(counts["node_label"], 6)
        XCTAssertEqual(counts["load_log"], 1)
        XCTAssertEqual(try server.generation(), 1)
        // Every node and edge as SQLite holds it.
        let store = try GraphStore(path: sqlitePath, mode: .readOnly, key: .noKey)
        try store.read { db in
            for id in Int64(1)...6 {
                let mine = try XCTUnwrap(GraphReads.nodeProperties(db, id: id)).flatMap { try Value.parseJSON($0) }
                let theirs = try XCTUnwrap(server.nodeProperties(id: id)).flatMap { try Value.parseJSON($0) }
                XCTAssertEqual(theirs, mine, "node \(id)")
                XCTAssertEqual(try server.nodeKey(id: id), try GraphReads.nodeKey(db, id: id))
                XCTAssertEqual(try server.nodeLabels(id: id), try GraphReads.nodeLabels(db, id: id))
            }
            for id in Int64(1)...3 {
                let mine = try XCTUnwrap(GraphReads.edge(db, id: id)), theirs = try XCTUnwrap(server.edge(id: id))
                XCTAssertEqual([theirs.type, "\(theirs.source)", "\(theirs.target)"], [mine.type, "\(mine.source)", "\(mine.target)"])
            }
        }
        XCTAssertEqual(try server.ontologyStamp(), try store.read { try GraphReads.ontologyStamp($0) })
        // Reloading: the staging copy is the graph exactly, so nothing changes, and the
        // copy writes the load's log row and nothing of the graph.
        let (again, copied) = try copiedLoad(r, data: dir, server: server)
        XCTAssertEqual(copied?.nodes, 0)
        XCTAssertEqual(copied?.edges, 0)
        XCTAssertEqual(copied?.labels, 0)
        XCTAssertEqual(copied?.removed, 0)
        XCTAssertEqual(again.counts.nodesUnchanged, 6)
        XCTAssertEqual(again.counts.edgesUnchanged, 3)
        XCTAssertEqual(again.counts.nodesInserted + again.counts.nodesUpdated + again.counts.edgesInserted + again.counts.edgesUpdated, 0)
        XCTAssertEqual(try server.rowCounts()["load_log"], 2)
        XCTAssertEqual(try server.generation(), 2)
    }

    /// The same bad record is refused by both backends, and neither keeps anything of it:
    /// the SQLite file is byte-identical, the server's graph and generation unchanged.
    func testABadLoadWritesNothingOnEitherBackend() throws {
        let server = try PostgresGraphStore(try freshDatabase("badload"), create: true)
        let dir = try tempFolder()
        let good = try recipe(in: dir, nodes: [caseLine(1), caseLine(2)], edges: ["CITES,scotus:2US1,scotus:1US1"])
        let sqlitePath = dir.appendingPathComponent("graph.sqlite").path
        _ = try load(good, data: dir, path: sqlitePath)
        _ = try load(good, data: dir, server: server)
        let fileBefore = try Data(contentsOf: URL(fileURLWithPath: sqlitePath))
        let rowsBefore = try server.rowCounts()
        // The third record's term is text where the ontology wants an integer.
        let bad = try recipe(in: dir, nodes: [caseLine(1, name: "Changed"), caseLine(3), caseLine(4, term: "\"bad\""), caseLine(5)],
                             edges: ["CITES,scotus:3US1,scotus:1US1"])
        var messages: [String] = []
        for backend in ["sqlite", "postgresql"] {
            XCTAssertThrowsError(backend == "sqlite" ? try load(bad, data: dir, path: sqlitePath) : try load(bad, data: dir, server: server)) { error in
                XCTAssertTrue(error is LoadFailure, "\(backend): \(error)")
                messages.append("\(error)")
            }
        }
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages.first, messages.last, "the same refusal on both backends")
        XCTAssertTrue(messages.first?.contains("nodes.jsonl:3") ?? false, messages.first ?? "")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sqlitePath)), fileBefore)
        XCTAssertEqual(try server.rowCounts(), rowsBefore)
        XCTAssertEqual(try server.generation(), 1)
        let name = try XCTUnwrap(server.nodeProperties(id: 1)).flatMap { try Value.parseJSON($0) }
        XCTAssertEqual(name, .map(["name": .string("Case 1"), "term": .int(1801)]))
    }

    /// A row the server itself refuses in the middle of the COPY (a NUL character, which
    /// `jsonb` cannot hold but SQLite's JSON text can) rolls the whole copy back: the
    /// server keeps the graph it had, and the message names the table and line.
    func testARowTheServerRefusesMidCopyLeavesTheOldGraph() throws {
        let server = try PostgresGraphStore(try freshDatabase("midcopy"), create: true)
        let dir = try tempFolder()
        _ = try load(try recipe(in: dir, nodes: [caseLine(1), caseLine(2)], edges: ["CITES,scotus:2US1,scotus:1US1"]), data: dir, server: server)
        let before = try server.rowCounts()
        let staging = try GraphStore(inMemoryWith: .permissive)
        try staging.write { w in
            for i in 1...3000 {
                let name: Value = i == 2500 ? .string("nul \u{0} inside") : .string("node \(i)")
                try w.upsert(NodeInput(key: "n\(i)", type: "Thing", properties: ["name": name]))
            }
        }
        XCTAssertThrowsError(try server.replaceGraph(with: staging)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("PostgreSQL at \(server.location): unsupported Unicode escape sequence"), text)
            XCTAssertTrue(text.contains("COPY node, line 2500"), text)
        }
        XCTAssertEqual(try server.rowCounts(), before)
        XCTAssertEqual(try server.generation(), 1)
        XCTAssertEqual(try server.nodeKey(id: 1), "scotus:1US1")
    }

    /// A load whose staging copy is older than the graph on the server (another load
    /// committed meanwhile) is refused and writes nothing.
    func testALoadThatRacedAnotherIsRefused() throws {
        let server = try PostgresGraphStore(try freshDatabase("race"), create: true)
        let dir = try tempFolder()
        _ = try load(try recipe(in: dir, nodes: [caseLine(1)], edges: []), data: dir, server: server)
        let staging = try GraphStore(path: dir.appendingPathComponent("stage.sqlite").path, mode: .create, key: .noKey)
        let staged = try server.stage(into: staging)
        XCTAssertEqual(staged.generation, 1)
        _ = try load(try recipe(in: dir, nodes: [caseLine(1), caseLine(2)], edges: []), data: dir, server: server)
        XCTAssertThrowsError(try server.replaceGraph(with: staging, expecting: staged.generation)) { error in
            XCTAssertEqual("\(error)", "the graph on \(server.location) changed while this write ran (generation 1 became 2: another load or write committed); nothing was written: run it again")
        }
        XCTAssertEqual(try server.rowCounts()["node"], 2)
        XCTAssertEqual(try server.generation(), 2)
    }

    /// Loads after the first copy only what they changed: an updated node, a closed
    /// edge, new ones, and a removed row all reach the server, which then holds exactly
    /// what the same loads give a SQLite file.
    func testLoadsCopyOnlyWhatTheyChanged() throws {
        let server = try PostgresGraphStore(try freshDatabase("incremental"), create: true)
        let dir = try tempFolder()
        let sqlitePath = dir.appendingPathComponent("graph.sqlite").path
        let first = try recipe(in: dir, nodes: (1...5).map { caseLine($0) }, edges: ["CITES,scotus:2US1,scotus:1US1", "CITES,scotus:3US1,scotus:1US1"])
        _ = try load(first, data: dir, path: sqlitePath)
        let (_, copiedFirst) = try copiedLoad(first, data: dir, server: server)
        XCTAssertEqual(copiedFirst?.nodes, 5)
        XCTAssertEqual(copiedFirst?.edges, 2)
        try assertSameGraph(server, sqlitePath)
        // Node 1 renamed, node 6 new, one more citation.
        let second = try recipe(in: dir, nodes: [caseLine(1, name: "Renamed"), caseLine(6)], edges: ["CITES,scotus:6US1,scotus:1US1"])
        let local = try load(second, data: dir, path: sqlitePath)
        let (remote, copied) = try copiedLoad(second, data: dir, server: server)
        XCTAssertEqual(remote.counts, local.counts)
        XCTAssertEqual(copied?.nodes, 2, "one updated, one new")
        XCTAssertEqual(copied?.edges, 1)
        XCTAssertEqual(copied?.labels, 1)
        XCTAssertEqual(copied?.removed, 0)
        XCTAssertEqual(copied?.generation, 2)
        try assertSameGraph(server, sqlitePath)
        // A write that removes a row (as an ontology migration may) reaches the server too.
        let removal = { (path: String) throws -> LoadReport in
            let report = try self.load(second, data: dir, path: path)
            try GraphStore(path: path, mode: .readWrite, key: .noKey).writeTransaction { db in
                try db.execute(sql: "DELETE FROM edge WHERE id = 1")
            }
            return report
        }
        _ = try removal(sqlitePath)
        let (_, removed) = try server.load(dryRun: false) { try removal($0) }
        XCTAssertEqual(removed?.removed, 1)
        XCTAssertEqual(removed?.edges, 0)
        XCTAssertNil(try server.edge(id: 1))
        try assertSameGraph(server, sqlitePath)
    }

    /// A delta load (`deltaLoad`, what `lexgraph load` without `--init` runs) fetches only
    /// the stored rows its keys touch, not the graph, and leaves the server holding
    /// exactly what the same load gives a SQLite file: nodes inserted, updated (renamed,
    /// given a date, retyped: labels and text change) and removed, edges inserted,
    /// updated (a new validity start from their source), unchanged and removed.
    func testADeltaLoadFetchesOnlyWhatItTouchesAndMatchesSQLite() throws {
        let server = try PostgresGraphStore(try freshDatabase("delta"), create: true)
        let dir = try tempFolder()
        let sqlitePath = dir.appendingPathComponent("graph.sqlite").path
        let first = try recipe(in: dir, nodes: (1...60).map { caseLine($0) }, edges: (1..<60).map { "CITES,scotus:\($0 + 1)US1,scotus:\($0)US1" })
        _ = try load(first, data: dir, path: sqlitePath)
        _ = try copiedLoad(first, data: dir, server: server)
        try assertSameGraph(server, sqlitePath)
        let serverRows = try server.rowCounts()
        let delta = try recipe(in: dir, nodes: [
            caseLine(1, name: "Renamed"),
            #"{"key": "scotus:3US1", "type": "Statute", "props": {"name": "Act 3", "text": "an act about delta loads"}}"#,
            #"{"key": "scotus:10US1", "type": "SupremeCourtCase", "props": {"name": "Case 10", "term": 1810, "decision_date": "1900-01-02"}}"#,
            caseLine(61), caseLine(62),
        ], edges: [
            "CITES,scotus:61US1,scotus:1US1", "CITES,scotus:62US1,scotus:61US1",  // new
            "CITES,scotus:11US1,scotus:10US1",  // unchanged
            "CITES,scotus:10US1,scotus:9US1",  // valid from node 10's new date
            "CITES,scotus:6US1,scotus:5US1", "CITES,scotus:13US1,scotus:12US1",  // removed below
        ])
        // The load, then removals of rows it named (as an ontology migration might).
        func deltaLoad(_ store: GraphStore, fetch: ((GraphStore, [String], [String]) throws -> Void)?) throws -> LoadReport {
            var loader = GraphLoader(store: store, dataFolder: dir, user: "tester")
            loader.audit = AuditChain.hook(action: "load", subject: "delta")
            loader.beforeWrite = fetch
            let report = try loader.load([delta])
            try store.writeTransaction { db in
                try db.execute(sql: "DELETE FROM edge WHERE key = ?", arguments: [EdgeInput.defaultKey(type: "CITES", from: "scotus:6US1", to: "scotus:5US1")])
                try db.execute(sql: "DELETE FROM node WHERE key = 'scotus:12US1'")
            }
            return report
        }
        // A dry run first: the same report, nothing written.
        let dry = try server.deltaLoad(dryRun: true) { path, fetch in
            var loader = GraphLoader(store: try GraphStore(path: path, mode: .readWrite, key: .noKey), dataFolder: dir, user: "tester")
            loader.beforeWrite = fetch
            return try loader.load([delta], dryRun: true)
        }
        XCTAssertNil(dry.copied)
        XCTAssertEqual(try server.generation(), 1)
        XCTAssertEqual(try server.rowCounts(), serverRows)
        let local = try deltaLoad(try GraphStore(path: sqlitePath, mode: .readWrite, key: .noKey), fetch: nil)
        let (remote, copied) = try server.deltaLoad(dryRun: false) { path, fetch in
            try deltaLoad(try GraphStore(path: path, mode: .readWrite, key: .noKey), fetch: fetch)
        }
        XCTAssertEqual(remote.counts, local.counts)
        XCTAssertEqual(dry.report.counts, local.counts)
        XCTAssertEqual(local.counts.nodesInserted, 2)
        XCTAssertEqual(local.counts.nodesUpdated, 3)
        XCTAssertEqual(local.counts.edgesInserted, 2)
        XCTAssertEqual(local.counts.edgesUpdated, 1)
        XCTAssertEqual(local.counts.edgesUnchanged, 3)
        try assertSameGraph(server, sqlitePath)
        // Nodes 1, 3, 5, 6, 9-13 and the highest id (60), their labels, the named edges
        // and the highest edge: about 30 of the server's 180 rows.
        let fetched = try XCTUnwrap(copied?.staged)
        XCTAssertGreaterThan(fetched, 0)
        XCTAssertLessThan(fetched, 40)
        XCTAssertEqual(serverRows["node"], 60)
        XCTAssertEqual(copied?.removed, 5, "node 12 and its label, edges 13->12 and 6->5, node 3's old label (12->11 goes by cascade)")
        XCTAssertEqual(copied?.nodes, 5)
        XCTAssertEqual(copied?.edges, 3)
        XCTAssertEqual(try server.generation(), 2)
        XCTAssertEqual(try server.rowCounts()["edge"], 59 + 2 - 3)
    }

    /// A load whose copy fails half-way through its transaction (the removals and the
    /// small tables already written, then a node the server refuses) leaves the server
    /// exactly as it was: graph, load log, audit trail and generation.
    func testALoadThatFailsMidwayWritesNothing() throws {
        let server = try PostgresGraphStore(try freshDatabase("midway"), create: true)
        let dir = try tempFolder()
        _ = try server.load(dryRun: false) { path in
            let store = try BuildCatalog.openForBuild(path: path, root: PostgresStoreTests.root, key: .noKey)
            var loader = GraphLoader(store: store, dataFolder: dir, user: "tester")
            loader.audit = AuditChain.hook(action: "load", subject: "first")
            return try loader.load([try recipe(in: dir, nodes: (1...3).map { caseLine($0) }, edges: ["CITES,scotus:2US1,scotus:1US1"])])
        }
        let before = try server.rowCounts()
        let auditBefore = try server.auditEntries()
        XCTAssertEqual(auditBefore.map(\.action).last, "load")
        let r = try recipe(in: dir, nodes: [caseLine(4), caseLine(5)], edges: ["CITES,scotus:4US1,scotus:1US1"])
        XCTAssertThrowsError(try server.load(dryRun: false) { path in
            let store = try GraphStore(path: path, mode: .readWrite, key: .noKey)
            var loader = GraphLoader(store: store, dataFolder: dir, user: "tester")
            loader.audit = AuditChain.hook(action: "load", subject: "second")
            let report = try loader.load([r])
            // NUL: SQLite's JSON text holds it, jsonb refuses it.
            try store.write { w in _ = try w.upsert(NodeInput(key: "scotus:2US1", type: "SupremeCourtCase", properties: ["name": .string("nul \u{0} inside"), "term": .int(1802)])) }
            return report
        }) { error in
            XCTAssertTrue("\(error)".hasPrefix("PostgreSQL at \(server.location): unsupported Unicode escape sequence"), "\(error)")
        }
        XCTAssertEqual(try server.rowCounts(), before)
        XCTAssertEqual(try server.auditEntries(), auditBefore)
        XCTAssertEqual(try server.generation(), 1)
        let name = try XCTUnwrap(server.nodeProperties(id: 2)).flatMap { try Value.parseJSON($0) }
        XCTAssertEqual(name, .map(["name": .string("Case 2"), "term": .int(1802)]))
    }

    /// `lexgraph ontology apply --db postgres://...`: the update runs on a staging copy
    /// with SQLite's validation, so it prints what SQLite prints and refuses what SQLite
    /// refuses (nothing written); an applied update and its audit entry reach the server
    /// in one transaction, and a query sees the new relationship type.
    func testCLIOntologyApplyOnPostgreSQL() throws {
        let location = try freshDatabase("ontology")
        let dir = try tempFolder()
        _ = try recipe(in: dir, nodes: (1...2).map { caseLine($0) }, edges: ["CITES,scotus:2US1,scotus:1US1"])
        let sqlite = dir.appendingPathComponent("graph.sqlite").path
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEXGRAPH_") }
        env["LEXGRAPH_ROOT"] = PostgresStoreTests.root.path
        func lexgraph(_ arguments: [String]) throws -> LexgraphBinary.Result {
            try LexgraphBinary.run(arguments, in: dir, environment: env, timeout: 120)
        }
        for db in [sqlite, location.description] {
            let load = try lexgraph(["load", "recipe.yaml", "--init", "--data", dir.path, "--db", db])
            XCTAssertEqual(load.status, 0, "\(load)")
        }
        let server = try PostgresGraphStore(location)
        let version = try XCTUnwrap(try GraphStore(path: sqlite, mode: .readOnly, key: .noKey).ontologyHistory().last?.version)
        let good = dir.appendingPathComponent(String(format: "%04d-2026-12-07-test-link.yaml", version + 1))
        let stale = dir.appendingPathComponent(String(format: "%04d-2026-12-07-ahead.yaml", version + 2))
        try """
            update: \(version + 1)
            date: 2026-12-07
            base_version: \(version)
            description: A test link between courts.
            changes:
              - op: add_edge_type
                name: TEST_LINK
                definition: {from: Court, to: Court, description: A link for the test.}
            """.write(to: good, atomically: true, encoding: .utf8)
        try """
            update: \(version + 2)
            date: 2026-12-07
            base_version: \(version + 1)
            description: Out of order.
            changes:
              - op: add_edge_type
                name: OTHER_LINK
                definition: {from: Court, to: Court, description: Out of order.}
            """.write(to: stale, atomically: true, encoding: .utf8)
        // Refused alike, and nothing written on the server.
        let generation = try server.generation(), audit = try server.auditEntries()
        let refusedHere = try lexgraph(["ontology", "apply", stale.path, "--db", sqlite])
        let refusedThere = try lexgraph(["ontology", "apply", stale.path, "--db", location.description])
        XCTAssertNotEqual(refusedHere.status, 0)
        XCTAssertEqual(refusedThere.status, refusedHere.status)
        XCTAssertEqual(refusedThere.stderr, refusedHere.stderr)
        XCTAssertEqual(try server.generation(), generation)
        XCTAssertEqual(try server.auditEntries(), audit)
        // Applied alike: the same report, then the copy.
        let appliedHere = try lexgraph(["ontology", "apply", good.path, "--db", sqlite])
        let appliedThere = try lexgraph(["ontology", "apply", good.path, "--db", location.description])
        XCTAssertEqual(appliedHere.status, 0, "\(appliedHere)")
        XCTAssertEqual(appliedThere.status, 0, "\(appliedThere)")
        XCTAssertEqual(appliedThere.stdout, appliedHere.stdout + "copied to \(location): 0 nodes, 0 edges (graph generation \(generation + 1))\n")
        XCTAssertEqual(try server.ontologyStamp(), try GraphStore(path: sqlite, mode: .readOnly, key: .noKey).read { try GraphReads.ontologyStamp($0) })
        XCTAssertEqual(try server.auditEntries().last?.action, "ontology.apply")
        XCTAssertTrue(AuditChain.verify(try server.auditEntries()).isIntact)
        let query = try lexgraph(["query", "MATCH (a:Court)-[:TEST_LINK]->(b) RETURN count(*) AS n", "--format", "csv", "--db", location.description])
        XCTAssertEqual(query.stdout, "n\n0\n", "\(query)")
    }

    // MARK: The CLI

    /// `lexgraph load --db postgres://...` and `lexgraph query --db postgres://...` print
    /// what they print for a SQLite file (the load's summary plus the copy; the same query
    /// table), and a command that does not run on PostgreSQL yet says so.
    func testCLILoadAndQueryOnPostgreSQL() throws {
        let location = try freshDatabase("cli")
        let dir = try tempFolder()
        _ = try recipe(in: dir, nodes: (1...4).map { caseLine($0) }, edges: ["CITES,scotus:2US1,scotus:1US1", "CITES,scotus:3US1,scotus:1US1"])
        let sqlite = dir.appendingPathComponent("graph.sqlite").path
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEXGRAPH_") }
        env["LEXGRAPH_ROOT"] = PostgresStoreTests.root.path
        func lexgraph(_ arguments: [String]) throws -> LexgraphBinary.Result {
            try LexgraphBinary.run(arguments, in: dir, environment: env, timeout: 120)
        }
        let localLoad = try lexgraph(["load", "recipe.yaml", "--init", "--data", dir.path, "--db", sqlite])
        XCTAssertEqual(localLoad.status, 0, "\(localLoad)")
        let load = try lexgraph(["load", "recipe.yaml", "--init", "--data", dir.path, "--db", location.description])
        XCTAssertEqual(load.status, 0, "\(load)")
        XCTAssertTrue(load.stdout.hasSuffix("\ncopied to \(location): 4 nodes, 2 edges (graph generation 1)\n"), load.stdout)
        // The load's own summary, but for its time.
        func untimed(_ text: String) -> String { text.replacingOccurrences(of: #"[0-9.]+ ?m?s\b"#, with: "T", options: .regularExpression) }
        XCTAssertTrue(untimed(load.stdout).hasPrefix(untimed(localLoad.stdout)), "\(load.stdout)\nvs\n\(localLoad.stdout)")
        // The audit entries of the loads are kept on the server, chained as on SQLite.
        let again = try lexgraph(["load", "recipe.yaml", "--data", dir.path, "--db", location.description])
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.hasSuffix("\ncopied to \(location): 0 nodes, 0 edges (graph generation 2)\n"), again.stdout)
        let server = try PostgresGraphStore(location)
        let entries = try server.auditEntries()
        XCTAssertEqual(entries.filter { $0.action == "load" }.map(\.subject), ["recipe.yaml", "recipe.yaml"])
        XCTAssertEqual(entries.map(\.seq), Array(1...Int64(entries.count)))
        XCTAssertTrue(AuditChain.verify(entries).isIntact, "\(AuditChain.verify(entries))")
        let localEntries = try GraphStore(path: sqlite, mode: .readOnly, key: .noKey).read { try AuditLogTable.all(in: $0) }
        XCTAssertEqual(entries.map(\.action), localEntries.map(\.action) + ["load"])
        let text = "MATCH (a:SupremeCourtCase)-[:CITES]->(b) RETURN a.name AS citing, b.term AS term ORDER BY citing"
        for format in ["table", "json", "csv"] {
            let local = try lexgraph(["query", text, "--format", format, "--db", sqlite])
            let remote = try lexgraph(["query", text, "--format", format, "--db", location.description])
            XCTAssertEqual(remote.status, 0, "\(remote)")
            XCTAssertEqual(remote.stdout, local.stdout, format)
        }
        XCTAssertTrue(try lexgraph(["query", text, "--format", "csv", "--db", location.description]).stdout.hasPrefix("citing,term\nCase 2,1801\nCase 3,1801\n"))
        // Walks: the answer the SQLite file gives; a seed is a key there.
        for arguments in [["walk", "scotus:2US1", "--direction", "both", "--format", "json"],
                          ["walk", "scotus:1US1", "--direction", "in", "--pagerank", "--include-seeds", "--format", "csv"]] {
            let local = try lexgraph(arguments + ["--db", sqlite]), remote = try lexgraph(arguments + ["--db", location.description])
            XCTAssertEqual(local.status, 0, "\(local)")
            XCTAssertEqual(remote.status, 0, "\(remote)")
            XCTAssertEqual(remote.stdout, local.stdout, "\(arguments)")
        }
        let byName = try lexgraph(["walk", "Case 2", "--db", location.description])
        XCTAssertEqual(byName.status, 1)
        XCTAssertEqual(byName.stderr, "lexgraph: error: seed 'Case 2': no node has this key on \(location) (on PostgreSQL a seed is a node key such as scotus:367US643; identifiers and case names are looked up in SQLite files only so far)\n")
        // CREATE: refused without --write, and with it the same answer and graph as SQLite's.
        let create = "MATCH (a:SupremeCourtCase {name: 'Case 2'}) CREATE (a)-[r:CITES]->(b:SupremeCourtCase {name: 'Case 9', term: 1809}) RETURN type(r) AS t, b.name AS name, b.term AS term"
        let refusedHere = try lexgraph(["query", create, "--db", sqlite])
        let refusedThere = try lexgraph(["query", create, "--db", location.description])
        XCTAssertEqual(refusedHere.status, 1)
        XCTAssertEqual(refusedThere.status, 1)
        XCTAssertEqual(refusedThere.stderr, refusedHere.stderr)
        let createdHere = try lexgraph(["query", create, "--write", "--format", "csv", "--db", sqlite])
        let createdThere = try lexgraph(["query", create, "--write", "--format", "csv", "--db", location.description])
        XCTAssertEqual(createdHere.status, 0, "\(createdHere)")
        XCTAssertEqual(createdThere.status, 0, "\(createdThere)")
        XCTAssertEqual(createdThere.stdout, createdHere.stdout)
        XCTAssertEqual(createdThere.stdout, "t,name,term\nCITES,Case 9,1809\n")
        let total = text + ", term"
        let after = try lexgraph(["query", total, "--format", "csv", "--db", location.description])
        XCTAssertEqual(after.stdout, try lexgraph(["query", total, "--format", "csv", "--db", sqlite]).stdout)
        XCTAssertEqual(after.stdout, "citing,term\nCase 2,1801\nCase 2,1809\nCase 3,1801\n")
        let stats = try lexgraph(["stats", "--db", location.description])
        XCTAssertEqual(stats.status, 1)
        XCTAssertEqual(stats.stderr, "lexgraph: error: this command does not run on a PostgreSQL graph (\(location)) yet: only build, load, query, walk, ontology apply and serve do; pass --db with a SQLite file\n")
        let down = try lexgraph(["query", text, "--db", "postgres://postgres@127.0.0.1:1/x"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.hasPrefix("lexgraph: error: cannot connect to PostgreSQL at 127.0.0.1:1"), down.stderr)
    }
}
