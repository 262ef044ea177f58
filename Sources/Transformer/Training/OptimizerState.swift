import Foundation
import Tensor

/// Saving and restoring AdamW's moments and step count (`optimizer.safetensors`: tensors
/// `exp_avg` and `exp_avg_sq` over the flat parameter block, the step in the metadata),
/// so a resumed run's updates equal an uninterrupted run's.
extension AdamW {
    public func save(to path: String) throws {
        try SafetensorsWriter.write([(name: "exp_avg", tensor: Tensor(storage: m, offset: 0, shape: [m.count])),
                                     (name: "exp_avg_sq", tensor: Tensor(storage: v, offset: 0, shape: [v.count]))],
                                    metadata: ["step": String(step), "parameters": String(parameters.parameters.count)], to: path)
    }

    public func load(from path: String) throws {
        let file = try SafetensorsFile(path: path)
        for (name, storage) in [("exp_avg", m), ("exp_avg_sq", v)] {
            guard let entry = file.entry(name) else { throw TransformerError("optimizer state has no tensor \"\(name)\"", file: path) }
            guard entry.shape == [storage.count] else {
                throw TransformerError("optimizer tensor \"\(name)\" has shape \(entry.shape), this model needs [\(storage.count)]", file: path)
            }
            try file.readFloats(name, into: storage.base)
        }
        guard let raw = file.metadata["step"], let saved = Int(raw), saved >= 0 else {
            throw TransformerError("optimizer state has no valid \"step\" in its metadata", file: path)
        }
        step = saved
    }
}
