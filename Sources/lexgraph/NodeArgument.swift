/// How `show`, `context`, `status` and `walk` name a node on the command line; the
/// resolution itself is `GraphStore.resolveNode`.
enum NodeArgument {
    /// The help text those commands print.
    static let forms = """
        A node is named by its key (scotus:367US643, scotus:scdb:2012-001), a U.S. Reports cite (568 U.S. 23, \
        568 US 23, 568US23, scotus:568US23), an SCDB case id (2012-001), an ECLI (any letter case), an ECtHR \
        application number (4143/02, no. 4143/02), a HUDOC item id (001-59156) or a case name (Mapp v. Ohio). \
        One that names several nodes lists them with their keys and dates; a name that matches none lists similar ones.
        """
}
