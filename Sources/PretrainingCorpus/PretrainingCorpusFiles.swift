import Foundation
import GraphStore
import LexgraphCore

/// A corpus folder: `train.jsonl` and `heldout.jsonl` (one `{"id", "source", "text"}`
/// a line) and `manifest.json` (options and what happened to each source's texts). What
/// `lexgraph pretrain` reads: `read(path:)` of either JSON Lines file.
extension PretrainingCorpus {
    public static let trainFile = "train.jsonl", heldOutFile = "heldout.jsonl", manifestFile = "manifest.json"

    /// The manifest's object.
    public var manifest: Value {
        func tally(_ t: Tally) -> Value {
            var m: [String: Value] = ["read": .int(Int64(t.read)), "test_excluded": .int(Int64(t.test)), "duplicates": .int(Int64(t.duplicates)),
                                      "too_short": .int(Int64(t.tooShort)), "junk": .int(Int64(t.junk)), "train": .int(Int64(t.train)),
                                      "held_out": .int(Int64(t.heldOut))]
            if let j = t.firstJunk { m["first_junk"] = .string(j) }
            return .map(m)
        }
        return .map([
            "sources": .map(tallies.mapValues(tally)),
            "train": .int(Int64(train.count)), "held_out": .int(Int64(heldOut.count)),
            "held_out_fraction": .float(options.heldOutFraction), "minimum_characters": .int(Int64(options.minimumCharacters)),
            "data": .string(URL(fileURLWithPath: options.dataFolder).standardized.path),
        ])
    }

    /// Writes the three files into `folder` (created if needed): each beside its final
    /// name first, renamed only when all are written, so a failure leaves no half-written set.
    public func write(to folder: String) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw CorpusError("cannot create the corpus folder: \(error.localizedDescription)", file: folder)
        }
        let contents: [(String, String)] = [
            (Self.trainFile, train.map { $0.jsonLine + "\n" }.joined()),
            (Self.heldOutFile, heldOut.map { $0.jsonLine + "\n" }.joined()),
            (Self.manifestFile, manifest.jsonText + "\n"),
        ]
        var written: [(temporary: String, final: String)] = []
        do {
            for (name, text) in contents {
                let final = (folder as NSString).appendingPathComponent(name), temporary = final + ".partial"
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                written.append((temporary, final))
            }
            for (temporary, final) in written {
                if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
                try fm.moveItem(atPath: temporary, toPath: final)
            }
        } catch {
            for (temporary, _) in written { try? fm.removeItem(atPath: temporary) }
            throw CorpusError("cannot write the corpus: \(error.localizedDescription)", file: folder)
        }
    }

    /// The documents of a corpus JSON Lines file. Each line must be an object with a
    /// non-empty string `text` (`id` and `source` are optional); invalid UTF-8 or JSON, a
    /// missing text and control characters (binary junk) are errors at file:line.
    public static func read(path: String) throws -> [CorpusDocument] {
        guard FileManager.default.fileExists(atPath: path) else { throw CorpusError("no corpus file here", file: path) }
        var docs: [CorpusDocument] = []
        do {
            try RecordReader.read(path: path, displayName: path, format: .jsonl) { r in
                guard case .string(let text) = r.value("text"), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw CorpusError("a corpus line needs a non-empty string \"text\"", file: path, line: r.line)
                }
                if let c = CorpusDocument.firstControlCharacter(in: text) {
                    throw CorpusError(String(format: "the text holds the control character U+%04X: binary junk, not prose", c.value), file: path, line: r.line)
                }
                docs.append(CorpusDocument(id: r.text("id") ?? "\(path):\(r.line)", source: r.text("source") ?? "", text: text))
            }
        } catch let e as GraphStoreError {
            throw CorpusError(e.message, file: e.location?.file ?? path, line: e.location?.line)
        }
        return docs
    }
}
