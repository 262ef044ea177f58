import ArgumentParser
import Foundation
import LexgraphCore
import Tensor
import Tokenizers
import Transformer

/// `lexgraph embed`: sentence embeddings for the texts of a JSONL file, one JSON line per
/// input line on stdout (`{"line": n, "id": ..., "embedding": [...]}`): mask-aware mean
/// pooling over the last hidden states, L2-normalized unless `--raw` (sentence-transformers'
/// all-MiniLM-L6-v2 pipeline).
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write mean-pooled sentence embeddings of a JSONL file's texts as JSONL."
    )

    @Option(name: .long, help: "Model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Argument(help: "Input .jsonl file, one object per line.")
    var file: String
    @Option(name: .long, help: "Field holding the text.")
    var field = "text"
    @Option(name: .long, help: "Field copied to the output as \"id\".")
    var idField = "id"
    @Option(name: .long, help: "Texts per forward pass.")
    var batch = 32
    @Option(name: .long, help: "Token limit per text, special tokens included (all-MiniLM-L6-v2 uses 256).")
    var maxLength = 256
    @Flag(name: .long, help: "Write the mean-pooled vectors without L2 normalization.")
    var raw = false
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if maxLength < 2 { throw ValidationError("--max-length must be at least 2, got \(maxLength)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        let folder = try ModelPath.setting(model).require("model folder", folder: true)
        do {
            // Labels are not read; multi-label parsing accepts any label shape (a prepared
            // unfair-tos file's label lists included).
            let items = try TextDataset.load(path: file, fields: TextDatasetFields(text: field, id: idField), multiLabel: true, requireLabels: false)
            let embedder = SentenceEmbedder(model: try BertModel.load(directory: folder), tokenizer: try BertTokenizer.load(directory: folder),
                                            maxLength: maxLength, normalize: !raw)
            let out = FileHandle.standardOutput
            // Chunks keep memory bounded on large files; each chunk is batched by length inside.
            let chunk = max(batch * 32, 1024)
            for start in stride(from: 0, to: items.count, by: chunk) {
                let part = Array(items[start..<min(start + chunk, items.count)])
                let vectors = try embedder.embed(part.map(\.text), batchSize: batch)
                var text = ""
                for (item, vector) in zip(part, vectors) {
                    text += "{\"line\":\(item.line)"
                    if let id = item.id { text += ",\"id\":" + Value.string(id).jsonText }
                    text += ",\"embedding\":[" + vector.map { "\($0)" }.joined(separator: ",") + "]}\n"
                }
                out.write(Data(text.utf8))
            }
        }
    }
}
