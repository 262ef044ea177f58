/// Owned, 64-byte aligned Float32 memory. Every `Tensor` is a view into one of these, so a
/// model can keep all its parameters (or all its gradients) in one flat block that
/// optimizers and norm computations walk in a single loop, llm.c style.
public final class FloatStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats, zero-filled.
    public init(count: Int) {
        let n = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: n)
        base.initialize(repeating: 0, count: n)
        self.count = count
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}

/// A contiguous, row-major Float32 array with a shape: a view of `count` floats starting at
/// `offset` in a `FloatStorage`. It has reference semantics: copies of a `Tensor` share
/// memory, which is what parameters, gradients and workspace buffers want.
public struct Tensor: @unchecked Sendable {
    public let storage: FloatStorage
    public let offset: Int
    public let shape: [Int]
    public let count: Int

    /// A fresh zero-filled tensor with its own storage.
    public init(shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(storage: FloatStorage(count: n), offset: 0, shape: shape)
    }

    /// A fresh tensor holding `values` (row-major); `values.count` must equal the shape's product.
    public init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "Tensor(shape: \(shape)) given \(values.count) values")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// A view of `shape.product` floats at `offset` inside `storage`.
    public init(storage: FloatStorage, offset: Int, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= storage.count, "Tensor view \(shape) at \(offset) exceeds storage of \(storage.count)")
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.count = n
    }

    /// First element; valid for `count` floats.
    @inline(__always) public var data: UnsafeMutablePointer<Float> { storage.base + offset }

    @inline(__always) public subscript(i: Int) -> Float {
        get { data[i] }
        nonmutating set { data[i] = newValue }
    }

    /// The same memory seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(storage: storage, offset: offset, shape: newShape)
    }

    /// Rows `start..<start+n` of the leading dimension, as a view.
    public func rows(_ start: Int, _ n: Int) -> Tensor {
        let rowSize = shape.dropFirst().reduce(1, *)
        return Tensor(storage: storage, offset: offset + start * rowSize, shape: [n] + shape.dropFirst())
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }
    public func zero() { fill(0) }

    /// Copies all of `other` (same count) into this tensor.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// A deep copy with its own storage.
    public func clone() -> Tensor {
        let t = Tensor(shape: shape)
        t.copy(from: self)
        return t
    }
}

/// A bump allocator over one `FloatStorage`: a workspace is sized once for a batch shape
/// and carved into named buffers, so a training step allocates nothing.
public struct TensorArena {
    public let storage: FloatStorage
    private var used = 0

    /// A plan counts how many floats a set of buffers needs before the arena exists.
    public struct Plan {
        public private(set) var floats = 0
        public init() {}
        /// Reserves room for a tensor of `shape` (rounded up to 16 floats for alignment).
        public mutating func reserve(_ shape: [Int]) { floats += TensorArena.rounded(shape.reduce(1, *)) }
    }

    public init(plan: Plan) { storage = FloatStorage(count: plan.floats) }

    /// An arena carved from `storage` when it holds at least the plan's floats (zeroed
    /// again up to the plan's size, so every buffer starts as a fresh one would); else a
    /// new allocation.
    public init(plan: Plan, reusing storage: FloatStorage?) {
        if let storage, storage.count >= plan.floats {
            storage.base.update(repeating: 0, count: plan.floats)
            self.storage = storage
        } else {
            self.storage = FloatStorage(count: plan.floats)
        }
    }

    /// Floats handed out so far; equals the plan's total once every reserved buffer is taken.
    public var usedFloats: Int { used }

    static func rounded(_ n: Int) -> Int { (n + 15) & ~15 }

    /// The next `shape`-sized buffer (zeroed at allocation time only).
    public mutating func take(_ shape: [Int]) -> Tensor {
        let t = Tensor(storage: storage, offset: used, shape: shape)
        used += TensorArena.rounded(t.count)
        return t
    }
}
