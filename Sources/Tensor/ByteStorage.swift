/// Owned, zero-filled bytes: dropout keep flags (0 or 1) take a quarter of the memory a
/// float mask would, and the kernels scale them by 1/(1−p) on the fly.
public final class ByteStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<UInt8>
    public let count: Int

    public init(count: Int) {
        let n = max(count, 1)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        base.initialize(repeating: 0, count: n)
        self.count = count
    }

    deinit { base.deallocate() }
}
