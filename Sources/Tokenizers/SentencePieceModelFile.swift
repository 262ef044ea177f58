import Foundation

/// A SentencePiece model file (`spiece.model`, `sentencepiece.bpe.model`): the protobuf
/// `ModelProto` of sentencepiece_model.proto, read field by field with `ProtobufReader`.
/// Kept: the pieces (text, score, type), what the trainer spec says about the model kind, the
/// special ids and byte fallback, and the normalizer spec; every other field is skipped.
/// Absent fields take the .proto's defaults (a model is Unigram unless it says otherwise).
/// A truncated or non-protobuf file is an error naming the file and the byte offset.
public struct SentencePieceModelFile: Sendable {
    /// `SentencePiece.Type` of the .proto.
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public struct Piece: Sendable, Hashable {
        public var text: String
        public var score: Float
        public var type: PieceType
    }

    /// `TrainerSpec.ModelType` of the .proto.
    public enum ModelType: Int, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4

        public var name: String { ["UNIGRAM", "BPE", "WORD", "CHAR"][rawValue - 1] }
    }

    public var pieces: [Piece] = []
    public var modelType: ModelType = .unigram
    public var unkId: Int32 = 0
    public var bosId: Int32 = 1
    public var eosId: Int32 = 2
    public var padId: Int32 = -1
    public var byteFallback = false
    /// The normalization rule set's name ("nmt_nfkc", "identity", "user_defined", ...).
    public var normalizerName = ""
    /// The compiled normalization rules (`PrecompiledCharsmap`'s blob); empty for none.
    public var precompiledCharsmap: [UInt8] = []
    public var addDummyPrefix = true
    public var removeExtraWhitespaces = true
    public var escapeWhitespaces = true
    private var sawTrainerSpec = false
    private var sawNormalizerSpec = false

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerError("cannot read file", file: path) }
        try self.init(bytes: Array(data), file: path)
    }

    public init(bytes: [UInt8], file path: String) throws {
        do {
            try read(bytes)
        } catch let failure as ProtobufReader.Failure {
            throw TokenizerError("not a SentencePiece model: \(failure.message) at byte offset \(failure.offset) of \(bytes.count)", file: path)
        }
        guard !pieces.isEmpty else {
            throw TokenizerError("not a SentencePiece model: its \(bytes.count) bytes hold no pieces (ModelProto field 1)", file: path)
        }
        // sentencepiece always writes both specs after the pieces: a file cut between two
        // fields is still well-formed protobuf, and only their absence shows it.
        for (seen, name) in [(sawTrainerSpec, "trainer_spec (field 2)"), (sawNormalizerSpec, "normalizer_spec (field 3)")] where !seen {
            throw TokenizerError("not a complete SentencePiece model: its \(bytes.count) bytes end without a \(name) (truncated?)", file: path)
        }
    }

    private mutating func read(_ bytes: [UInt8]) throws {
        var model = ProtobufReader(bytes)
        while case let (number, value, offset)? = try model.next() {
            switch number {
            case 1:
                pieces.append(try Self.piece(bytes, value.range("piece \(pieces.count)", offset: offset), index: pieces.count))
            case 2:
                sawTrainerSpec = true
                try readTrainerSpec(ProtobufReader(bytes, range: value.range("trainer_spec", offset: offset)))
            case 3:
                sawNormalizerSpec = true
                try readNormalizerSpec(ProtobufReader(bytes, range: value.range("normalizer_spec", offset: offset)))
            default:
                continue
            }
        }
    }

    private static func piece(_ bytes: [UInt8], _ range: Range<Int>, index: Int) throws -> Piece {
        var reader = ProtobufReader(bytes, range: range)
        var piece = Piece(text: "", score: 0, type: .normal)
        var sawText = false
        while case let (number, value, offset)? = try reader.next() {
            switch number {
            case 1:
                piece.text = try reader.string(value.range("piece \(index) text", offset: offset), field: "piece \(index) text", offset: offset)
                sawText = true
            case 2:
                piece.score = try value.float("piece \(index) score", offset: offset)
            case 3:
                let raw = try value.int32("piece \(index) type", offset: offset)
                guard let type = PieceType(rawValue: Int(raw)) else {
                    throw ProtobufReader.Failure(message: "piece \(index) has type \(raw), not a SentencePiece piece type (1-6)", offset: offset)
                }
                piece.type = type
            default:
                continue
            }
        }
        guard sawText, !piece.text.isEmpty else { throw ProtobufReader.Failure(message: "piece \(index) has no text", offset: range.lowerBound) }
        return piece
    }

    private mutating func readTrainerSpec(_ spec: ProtobufReader) throws {
        var reader = spec
        while case let (number, value, offset)? = try reader.next() {
            switch number {
            case 3:
                let raw = try value.int32("trainer_spec.model_type", offset: offset)
                guard let type = ModelType(rawValue: Int(raw)) else {
                    throw ProtobufReader.Failure(message: "trainer_spec.model_type is \(raw), not a SentencePiece model type (1-4)", offset: offset)
                }
                modelType = type
            case 35: byteFallback = try value.bool("trainer_spec.byte_fallback", offset: offset)
            case 40: unkId = try value.int32("trainer_spec.unk_id", offset: offset)
            case 41: bosId = try value.int32("trainer_spec.bos_id", offset: offset)
            case 42: eosId = try value.int32("trainer_spec.eos_id", offset: offset)
            case 43: padId = try value.int32("trainer_spec.pad_id", offset: offset)
            default: continue
            }
        }
    }

    private mutating func readNormalizerSpec(_ spec: ProtobufReader) throws {
        var reader = spec
        while case let (number, value, offset)? = try reader.next() {
            switch number {
            case 1: normalizerName = try reader.string(value.range("normalizer_spec.name", offset: offset), field: "normalizer_spec.name", offset: offset)
            case 2: precompiledCharsmap = Array(reader.bytes[try value.range("normalizer_spec.precompiled_charsmap", offset: offset)])
            case 3: addDummyPrefix = try value.bool("normalizer_spec.add_dummy_prefix", offset: offset)
            case 4: removeExtraWhitespaces = try value.bool("normalizer_spec.remove_extra_whitespaces", offset: offset)
            case 5: escapeWhitespaces = try value.bool("normalizer_spec.escape_whitespaces", offset: offset)
            default: continue
            }
        }
    }
}
