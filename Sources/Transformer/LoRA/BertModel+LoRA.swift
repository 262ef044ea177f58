import Tensor

/// Attaching, detaching and merging low-rank adapters.
extension BertModel {
    /// Attaches fresh adapters (A kaiming-uniform from `seed`, B zero: the model's outputs
    /// are unchanged until B is trained) and freezes the base: `backward` then fills only
    /// the adapters' gradients. Train `trainableParameters`.
    @discardableResult
    public func attachLoRA(_ config: LoRAConfig, seed: UInt64 = 0) throws -> LoRAAdapters {
        guard adapters == nil else { throw TransformerError("the model already has LoRA adapters attached; detach or merge them first") }
        let lora = try LoRAAdapters(config: config, model: self, seed: seed)
        adapters = lora
        saved = nil  // a backward now would mix passes with and without adapters
        return lora
    }

    /// Removes the adapters and returns them; the base (and its own classifier) is as before.
    @discardableResult
    public func detachLoRA() -> LoRAAdapters? {
        defer { adapters = nil; saved = nil }
        return adapters
    }

    /// What an optimizer should update: the adapters and the classifier copy while adapters
    /// are attached, else every parameter of the model.
    public var trainableParameters: ParameterSet { adapters?.parameters ?? parameters }

    /// Folds the adapters into the base weights (`W += scaling · B·A`), copies the trained
    /// classifier into the model's own and detaches them: the model then computes what it
    /// computed with the adapters (up to rounding), at the base's inference cost, and
    /// `saveCheckpoint` writes it as an ordinary Hugging Face folder.
    public func mergeLoRA() throws {
        guard let lora = adapters else { throw TransformerError("the model has no LoRA adapters to merge") }
        fold(lora)
        detachLoRA()
    }

    /// A new model holding what `mergeLoRA` would leave in this one, while this one keeps its
    /// adapters attached (a run saves its best epoch this way and trains on).
    public func mergedCopy() throws -> BertModel {
        guard let lora = adapters else { throw TransformerError("the model has no LoRA adapters to merge") }
        let copy = try BertModel(config: config, head: head, seed: 0, randomInitialization: false)
        copy.parameters.values.base.update(from: parameters.values.base, count: parameters.scalarCount)
        copy.fold(lora)
        return copy
    }

    /// `W += scaling · B·A` for every adapted layer and the classifier copy into the model's own.
    private func fold(_ lora: LoRAAdapters) {
        for m in lora.modules {
            let w = layers[m.layer].weight(of: m.target)
            BLAS.gemm(transA: false, transB: false, m: m.outFeatures, n: m.inFeatures, k: lora.config.rank, alpha: lora.scaling,
                      a: m.b.value.data, lda: lora.config.rank, b: m.a.value.data, ldb: m.inFeatures, beta: 1, c: w.value.data, ldc: m.inFeatures)
        }
        if let c = lora.classifier, let cb = lora.classifierBias, let base = baseClassifier, let baseBias = baseClassifierBias {
            base.value.copy(from: c.value)
            baseBias.value.copy(from: cb.value)
        }
    }
}

extension LayerParameters {
    /// The base weight an adapter of `target` wraps.
    func weight(of target: LoRATarget) -> Parameter {
        switch target {
        case .query: return query
        case .key: return key
        case .value: return value
        case .attentionOutput: return attentionOut
        case .intermediate: return intermediate
        case .output: return output
        }
    }
}
