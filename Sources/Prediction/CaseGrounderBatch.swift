import Foundation
import Grounding

extension CaseGrounder {
    /// Groundings of many queries, in order, computed on all cores (each grounding reads
    /// the immutable graph; the cache is locked). The first error, by query order, is
    /// thrown.
    public func groundings(for queries: [PredictionQuery]) throws -> [CaseGrounding] {
        let results = GroundingResults(count: queries.count)
        DispatchQueue.concurrentPerform(iterations: queries.count) { i in
            results.set(i, Result { try grounding(for: queries[i]) })
        }
        return try results.values.map { try $0!.get() }
    }
}

/// Per-slot results written from `concurrentPerform` workers.
private final class GroundingResults: @unchecked Sendable {
    private(set) var values: [Result<CaseGrounding, Error>?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<CaseGrounding, Error>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
}
