import Foundation

extension GraphStore {
    /// Bytes the database takes on disk: the file and its write-ahead log (0 in memory).
    public func fileSize() -> Int64 {
        guard let path else { return 0 }
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: file), let size = attributes[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
