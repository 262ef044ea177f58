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

    /// Said with every status whose evidence includes an OVERRULES edge. The graph's only
    /// source of OVERRULES edges (graphs/scotus.yaml) lists overrulings in whole and in
    /// part alike, so "overruled" may mean overruled on one point only.
    public static let overrulingScopeNote = "OVERRULES edges come from the Fowler & Jeon citation network's "
        + "overruled/overruling lists (scotus/citation_nodes.csv), which do not distinguish overruling in whole "
        + "from overruling in part"
}
