import Foundation
import GraphStore
import LexgraphCore
import Ontology
import Query
import XCTest

/// Temporal values beyond what the TCK's sort scenarios cover: component access, the
/// date/ISO-string comparison of stored dates, the calendar at its edges, and positioned
/// errors for bad input. (The TCK's WithOrderBy1 scenarios check ordering and text form.)
final class TemporalTests: XCTestCase {
    func value(_ expression: String) throws -> CypherValue {
        let store = try GraphStore(inMemoryWith: .permissive, documentText: "")
        return try QueryEngine(store: store).run("RETURN \(expression) AS v").rows[0][0]
    }

    func text(_ expression: String) throws -> String {
        ResultFormatter.tckLiteral(try value(expression), graph: nil)
    }

    func testComponentsOfEachKind() throws {
        XCTAssertEqual(try value("date('1966-06-13').year"), .int(1966))
        XCTAssertEqual(try value("date({year: 2000, month: 2, day: 29}).day"), .int(29))
        XCTAssertEqual(try value("localtime('21:40:32.142').millisecond"), .int(142))
        XCTAssertEqual(try value("time('21:40:32.000000007+01:00').nanosecond"), .int(7))
        XCTAssertEqual(try value("datetime('2015-07-21T21:40:32-08:00').offsetSeconds"), .int(-28_800))
        XCTAssertEqual(try value("localdatetime({year: 1, month: 1, day: 1, hour: 23}).hour"), .int(23))
    }

    func testTextForms() throws {
        XCTAssertEqual(try text("date({year: 1, month: 1, day: 1})"), "'0001-01-01'")
        XCTAssertEqual(try text("localtime({hour: 10, minute: 35})"), "'10:35'")
        XCTAssertEqual(try text("time({hour: 12, minute: 31, second: 14, microsecond: 645876, timezone: '+01:00'})"), "'12:31:14.645876+01:00'")
        XCTAssertEqual(try text("datetime('2015-07-21T21:40:32.142+00:00')"), "'2015-07-21T21:40:32.142Z'")
        XCTAssertEqual(try text("toString(localdatetime('2015-07-21T21:40'))"), "'2015-07-21T21:40'")
        XCTAssertEqual(try text("date(datetime('2015-07-21T23:59:59-11:00'))"), "'2015-07-21'")
    }

    func testCalendarRoundTripsAcrossCenturiesAndLeapYears() throws {
        for iso in ["1600-02-29", "1700-03-01", "1899-12-31", "1900-02-28", "1970-01-01", "2000-02-29", "9999-12-31"] {
            XCTAssertEqual(try text("date('\(iso)')"), "'\(iso)'")
        }
        XCTAssertEqual(try value("date('1900-03-01') > date('1900-02-28')"), .bool(true))
    }

    func testComparisonsByInstantAndAcrossKinds() throws {
        XCTAssertEqual(try value("time('12:00+01:00') < time('11:30Z')"), .bool(true))
        XCTAssertEqual(try value("datetime('2000-01-01T00:30+01:00') < datetime('1999-12-31T23:45Z')"), .bool(true))
        XCTAssertEqual(try value("date('2000-01-01') < localdatetime('2000-01-02T00:00')"), .null)
        XCTAssertEqual(try value("date('2000-01-01') = localdatetime('2000-01-01T00:00')"), .bool(false))
    }

    /// Stored ontology dates are ISO strings: a date compares with them as a date; other
    /// strings stay incomparable.
    func testDatesCompareWithISODateStrings() throws {
        XCTAssertEqual(try value("'1966-06-13' >= date('1960-01-01')"), .bool(true))
        XCTAssertEqual(try value("date('1966-06-13') = '1966-06-13'"), .bool(true))
        XCTAssertEqual(try value("date('1966-06-13') < 'June 1966'"), .null)
        XCTAssertEqual(try value("date('1966-06-13') = 'June 1966'"), .bool(false))
        XCTAssertEqual(try value("localtime('10:00') < '11:00'"), .null)
    }

    func testBadInputIsAPositionedError() throws {
        let store = try GraphStore(inMemoryWith: .permissive, documentText: "")
        let engine = QueryEngine(store: store)
        for (query, fragment) in [
            ("RETURN\n  date('1966-02-30')", "'1966-02-30' is not an ISO date"),
            ("RETURN\n  date({year: 1966, month: 13})", "field 'month' = 13 is outside 1...12"),
            ("RETURN\n  time({hour: 1, timezone: 'Europe/Paris'})", "named time zones are not supported"),
            ("RETURN\n  localtime('10:00+01:00')", "is not an ISO localtime"),
            ("RETURN\n  date({year: 1966, hour: 1})", "does not take the field 'hour'"),
            ("RETURN\n  datetime()", "without an argument"),
        ] {
            do {
                _ = try engine.run(query)
                XCTFail("\(query) ran")
            } catch let e as QueryError {
                XCTAssertEqual(e.location?.line, 2, query)
                XCTAssertEqual(e.location?.column, 3, query)
                XCTAssertTrue(e.message.contains(fragment), "\(query): \(e.message)")
            }
        }
    }
}
