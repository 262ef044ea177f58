/// The edge types and treatments that make an authority overruled. Kept in one place
/// because walks (skip or mark overruled nodes) and the citator must agree on them.
public enum CitatorVocabulary {
    public static let overrules = "OVERRULES"
    public static let cites = "CITES"
    public static let overruledTreatment = "overruled"
    /// CITES treatments that count as negative treatment (a "yellow flag").
    public static let negativeTreatments = ["questioned", "criticised", "limited", "distinguished"]
    /// Treatments under which a citation is not reliance on the cited case: the citing
    /// case overruled, reversed or criticised it rather than building on it.
    public static let nonRelianceTreatments = [overruledTreatment, "reversed"] + negativeTreatments
}
