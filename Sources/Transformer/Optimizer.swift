import Tensor

/// AdamW with decoupled weight decay and bias correction, step for step as
/// `torch.optim.AdamW` (amsgrad off): p ← p·(1 − lr·wd); m, v moments; p ← p − lr/(1−β₁ᵗ) ·
/// m / (√v / √(1−β₂ᵗ) + ε). Decay applies to parameters whose `decays` flag is set,
/// unless `decayAll` (then to every parameter, as a single torch param group would).
public final class AdamW {
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public var decayAll: Bool
    /// Parameters left untouched by `update` (no decay, no moments): the frozen layers of
    /// partial fine-tuning, as torch skips tensors without `requires_grad`.
    public var frozenParameters: Set<String> = []
    /// Updates done so far (settable inside the module to restore a saved optimizer).
    public internal(set) var step = 0
    let m: FloatStorage, v: FloatStorage
    let parameters: ParameterSet

    public init(parameters: ParameterSet, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01, decayAll: Bool = false) {
        self.parameters = parameters
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay; self.decayAll = decayAll
        m = FloatStorage(count: parameters.scalarCount)
        v = FloatStorage(count: parameters.scalarCount)
    }

    /// One update with learning rate `lr` from the current gradients.
    public func update(learningRate lr: Float) {
        step += 1
        let c1 = 1 - Float(Double(beta1).power(step)), c2 = 1 - Float(Double(beta2).power(step))
        let stepSize = lr / c1, c2Root = c2.squareRoot()
        let b1 = beta1, b2 = beta2, e = eps
        for p in parameters.parameters where !frozenParameters.contains(p.name) {
            let decay: Float = (decayAll || p.decays) ? 1 - lr * weightDecay : 1
            let w = p.value.data, g = p.grad.data, off = p.value.offset
            let mm = m.base + off, vv = v.base + off
            for i in 0..<p.value.count {
                w[i] *= decay
                mm[i] = b1 * mm[i] + (1 - b1) * g[i]
                vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i]
                w[i] -= stepSize * mm[i] / (vv[i].squareRoot() / c2Root + e)
            }
        }
    }
}

extension Double {
    fileprivate func power(_ n: Int) -> Double { var r = 1.0; for _ in 0..<n { r *= self }; return r }
}

/// Linear warm-up from 0 to the base rate over `warmupSteps`, then linear decay to 0 at
/// `totalSteps` (HF `get_linear_schedule_with_warmup`). `step` counts completed updates.
public struct LinearWarmupSchedule: Sendable {
    public var baseLearningRate: Float, warmupSteps: Int, totalSteps: Int
    public init(baseLearningRate: Float, warmupSteps: Int, totalSteps: Int) {
        self.baseLearningRate = baseLearningRate; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    public func learningRate(atStep step: Int) -> Float {
        let factor: Double
        if step < warmupSteps {
            factor = Double(step) / Double(max(1, warmupSteps))
        } else {
            factor = max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
        }
        return Float(Double(baseLearningRate) * factor)
    }
}

/// Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`: when the norm of all
/// gradients exceeds `maxNorm`, every gradient is scaled by `maxNorm / (norm + 1e-6)`.
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: ParameterSet, maxNorm: Float) -> Float {
    let norm = Float(parameters.gradientNorm())
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 { Kernels.scale(parameters.grads.base, count: parameters.grads.count, by: coefficient) }
    return norm
}
