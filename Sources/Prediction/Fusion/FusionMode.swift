/// How the graph context reaches the transformer's input.
public enum FusionMode: String, Sendable, Codable, CaseIterable {
    /// Text only: `[CLS] facts [SEP]`.
    case none
    /// The verbalized facts as segment B: `[CLS] facts [SEP] context [SEP]`.
    case segment
    /// K-BERT: each fact a branch injected after its anchor token, at soft positions, seen
    /// only through a visibility matrix.
    case kbert
}

/// How the graph-feature vector joins the encoder's pooled [CLS].
public enum HeadFusion: String, Sendable, Codable, CaseIterable {
    /// `[pooled; graph]` into the final linear layer.
    case concat
    /// `gate ⊙ pooled + (1 − gate) ⊙ W·graph`, the gate a sigmoid of both.
    case gating
}
