import XCTest
import ContractReview

final class ContractReviewErrorTests: XCTestCase {
    func testDescriptionNamesFileAndLine() {
        XCTAssertEqual(ContractReviewError("empty clause", file: "a.txt", line: 3).description, "a.txt:3: empty clause")
        XCTAssertEqual(ContractReviewError("not UTF-8", file: "a.txt").description, "a.txt: not UTF-8")
        XCTAssertEqual(ContractReviewError("no model").description, "no model")
    }
}
