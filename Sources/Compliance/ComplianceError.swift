import LexgraphCore

/// Every failure of masking, the vault and the audit chain. Messages never quote the
/// text being masked nor a vault's contents: they name the file, the line and the
/// setting, so an error on stderr or in a log cannot leak what masking hides.
public struct ComplianceError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}
