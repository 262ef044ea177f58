/// What `TrainingLoop` trains: a model's loss over training examples picked by index. The
/// loop owns batching, accumulation, clipping, the optimizer and early stopping; an
/// objective owns the forward and backward pass of one micro-batch (sequence
/// classification, the fused case model, masked language modelling, adapters...).
public protocol TrainingObjective: AnyObject {
    /// Token length of every training example, in index order: the loop groups examples
    /// of similar length into batches (`LengthBucketing`).
    var exampleLengths: [Int] { get }

    /// Called before the micro-batches of update `update` (0-based, counted over the whole
    /// run), e.g. to seed dropout from the update number so a resumed run draws the same
    /// masks an uninterrupted one would.
    func prepareUpdate(_ update: Int)

    /// Adds the gradients of `lossScale` × the mean loss of the examples at `indices` to the
    /// gradients of the loop's parameter groups, and returns that (unscaled) mean loss.
    func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float
}

extension TrainingObjective {
    public func prepareUpdate(_ update: Int) {}
}
