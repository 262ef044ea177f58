/// The word lists the name detector reasons with: given names and surnames (generated
/// from the U.S. Census 1990 name files by `tools/make_name_gazetteer.py`, in
/// `NameGazetteer.swift`), and hand-kept lists of titles, legal party roles, and
/// capitalised words that start sentences or name places, institutions and documents
/// rather than people.
enum NameLexicon {
    static let givenNames: Set<String> = words(NameGazetteer.given)
    static let surnames: Set<String> = words(NameGazetteer.surnames)
    /// Given names below the gazetteer's first tier ("Philomena"): many are ordinary
    /// words too ("Noble", "Royal"), so they count only beside other evidence.
    static let rareGivenNames: Set<String> = words(NameGazetteer.rareGiven)

    /// Titles that only persons bear; a surname after one is carried through a corpus.
    static let personalTitles: Set<String> = ["mr", "mrs", "ms", "miss", "mx", "dr"]

    /// Words before a capitalised phrase used as a defined term ("such Net Sales").
    static let definedTermDeterminers: Set<String> = [
        "the", "such", "any", "all", "each", "every", "said", "this", "these", "those", "no", "other", "its", "their",
        "our", "your", "applicable", "relevant", "respective",
    ]

    /// Titles that make the capitalised words after them a person's name.
    static let honorifics: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "judge", "justice", "officer", "detective", "det",
        "sergeant", "sgt", "lieutenant", "lt", "captain", "capt", "agent", "trooper", "deputy", "sheriff", "governor",
        "gov", "senator", "sen", "representative", "rep", "president", "mayor", "reverend", "rev", "father", "sister",
        "inmate", "warden", "commissioner", "secretary", "chief", "superintendent", "attorney", "counsel", "private",
        "pvt", "corporal", "cpl", "colonel", "col", "general", "gen", "major", "admiral", "patrolman", "constable",
        "dean", "principal", "investigator", "inspector", "congressman", "congresswoman", "councilman", "councilwoman", "madam", "sir", "dame", "lord", "lady",
    ]

    /// Party roles and relations, before a name: "petitioner Jane Roe", "her husband, John".
    static let roleCues: Set<String> = [
        "petitioner", "petitioners", "respondent", "respondents", "appellant", "appellants", "appellee", "appellees",
        "defendant", "defendants", "plaintiff", "plaintiffs", "claimant", "applicant", "prisoner", "inmate", "employee",
        "witness", "victim", "suspect", "accomplice", "co-defendant", "codefendant", "husband", "wife", "son", "daughter",
        "mother", "father", "brother", "sister", "girlfriend", "boyfriend", "widow", "named", "nee", "alias", "plaintiff-appellant",
        "defendant-appellant", "intervenor", "relator", "decedent", "testator", "beneficiary", "guardian", "tenant", "landlord",
        "refugee", "immigrant", "alien", "resident", "citizen", "student", "teacher", "worker", "driver", "veteran", "passenger",
        "lawyer", "physician", "doctor", "nurse", "pastor", "minister", "reporter", "journalist", "trustee", "executor",
        "administrator", "owner", "manager", "director", "mr.", "juror", "informant", "debtor", "creditor", "taxpayer",
    ]

    /// Generational suffixes, part of a name after it ("Jr.", "III").
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "esq"]

    /// Lower-case particles inside a name ("Ludwig van Beethoven", "Oscar de la Hoya").
    static let particles: Set<String> = ["de", "van", "von", "der", "den", "la", "le", "da", "del", "della", "di", "du", "bin", "ibn", "al", "st"]

    /// Words that end a name: an organisation or a place follows ("Smith County",
    /// "Johnson Controls Inc."); a run holding one is not a person.
    static let institutionWords: Set<String> = [
        "inc", "corp", "corporation", "co", "company", "companies", "llc", "llp", "ltd", "lp", "plc", "bank", "trust", "association",
        "assn", "union", "board", "commission", "committee", "council", "department", "dept", "agency", "authority", "bureau",
        "office", "service", "services", "administration", "court", "courts", "county", "city", "town", "township", "village",
        "state", "states", "university", "college", "school", "schools", "district", "church", "hospital", "center", "centre",
        "railroad", "railway", "railways", "airlines", "industries", "group", "partners", "foundation", "institute", "society",
        "party", "club", "press", "times", "news", "tribune", "post", "journal", "act", "amendment", "amendments", "clause", "code",
        "constitution", "congress", "senate", "house", "assembly", "legislature", "republic", "nation", "nations", "tribe", "federal",
        "national", "international", "american", "motors", "oil", "electric", "power", "gas", "water", "insurance", "mutual",
        "life", "steel", "mining", "products", "systems", "communications", "broadcasting", "publishing", "enterprises", "holdings",
        "river", "lake", "mountain", "island", "islands", "bay", "valley", "park", "street", "avenue", "road", "boulevard", "highway",
        "county's", "prison", "penitentiary", "jail", "police", "sheriff's", "army", "navy", "force", "corps", "guard", "commonwealth",
        "territory", "parish", "borough", "circuit", "appeals", "tribunal", "treaty", "convention", "rule", "rules", "statute", "law",
        "laws", "bill", "order", "plan", "program", "project", "fund", "system", "sons", "brothers", "bros", "family", "estate",
        "memorial", "medical", "health", "care", "industries", "airport", "station", "mall", "hotel", "market", "stores", "store",
        "foods", "farms", "mills", "works", "laboratories", "labs", "pharmaceuticals", "technologies", "software", "records",
        "academy", "tower", "plaza", "building",
    ]

    /// Capitalised words that are not names: sentence openers, months and days, places,
    /// nationalities, legal and institutional vocabulary. A name run drops them.
    static let notNames: Set<String> = openers.union(contractVocabulary).union(words("""
        january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept
        oct nov dec monday tuesday wednesday thursday friday saturday sunday
        alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois indiana iowa
        kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada
        hampshire jersey mexico york carolina dakota ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont virginia
        washington wisconsin wyoming columbia puerto rico guam america united america's u.s us usa england britain london paris
        france germany japan china russia canada cuba iran iraq israel vietnam korea philippines ireland scotland wales europe africa
        asia chicago boston detroit philadelphia atlanta houston dallas miami denver seattle orleans angeles francisco diego
        baltimore cleveland pittsburgh cincinnati memphis nashville louisville richmond brooklyn manhattan bronx queens jersey
        american americans african english french german spanish mexican chinese japanese indian native negro black white hispanic
        latino catholic christian jewish muslim protestant mormon democrat democrats republican republicans communist
        supreme court courts appeals circuit district federal state states government congress senate house president justice justices
        judge judges chief associate attorney attorneys general solicitor secretary department agency commission commissioner board
        officer officers police sheriff governor legislature legislative executive judicial county city town village constitution
        constitutional amendment amendments act acts code statute statutes section title clause article rule rules regulation
        regulations law laws order orders plan bill resolution treaty convention charter ordinance decree petition petitioner
        petitioners respondent respondents appellant appellants appellee appellees defendant defendants plaintiff plaintiffs
        court's state's government's congress's commission's board's company's corporation's union's
        jury grand trial appeal appellate habeas corpus certiorari writ mandamus due process equal protection commerce
        free speech press religion establishment exercise search seizure warning warnings rights right bill civil criminal
        national international internal revenue service services security social medicare medicaid labor relations
        commerce interstate trade federal communications environmental protection securities exchange food drug administration
        bureau investigation intelligence central immigration naturalization customs border patrol postal office
        university college school schools board education hospital church company corporation inc corp co llc ltd union association
        bank trust railroad railway airlines insurance industries motors oil steel
        north south east west northern southern eastern western new old great little big fort saint st mount port lake river
        internet web email online tv radio god lord christmas easter thanksgiving
        id ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx
        court-appointed pro se per curiam amicus curiae et al
        """))

    /// The capitalised vocabulary of contracts: the parties' roles, the document's parts
    /// and its defined terms ("the Agreement", "Buyer shall", "Telecopier:"). In a
    /// contract these are capitalised everywhere, so a capital says nothing about a name.
    static let contractVocabulary: Set<String> = words("""
        agreement agreements buyer buyers seller sellers purchaser purchasers vendor lessor lessee lessees borrower borrowers
        lender lenders licensor licensee guarantor guarantors investor investors custodian servicer depositor underwriter
        underwriters representative representatives holder holders certificateholders certificate certificates exhibit exhibits
        schedule schedules annex appendix recitals recital whereas witness witnesseth closing warrant warrants shares stock
        signatory telecopier telecopy facsimile telephone phone fax e-mail attention attn treasurer directors credit loan loans
        grant grantee business day days name term terms register provisions indemnification servicing additional purchase sale
        effective notices notice premises collateral affiliate affiliates subsidiary subsidiaries bancorp incorporated authorized
        branch treasury guidelines sentencing employment consultant contractor subcontractor subrecipient manager subadviser
        adviser escrow note notes indenture mortgage lease sublease license licence premium policy policies benefit benefits
        payment payments price consideration confidential information intellectual property parties party assignee assignor
        """)

    /// Function words that open sentences ("After Smith ...", "The Smith ...").
    static let openers: Set<String> = words("""
        a an the this that these those there here his her their its our my your he she it they we i you who whom whose which what
        when where while why how after before during since until unless although though because if then however moreover therefore
        thus also and or but nor so yet for with without within in on at by from into onto upon of to as about above below under
        over between among against through throughout despite following according pursuant subsequently later finally meanwhile
        eventually instead nevertheless furthermore additionally accordingly consequently one two three four five six seven eight
        nine ten first second third fourth fifth last next both each every all some any many most several such other another no not
        none neither either only just even still once twice later earlier soon now today yesterday tomorrow mr mrs ms dr
        """)

    static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { $0.lowercased() })
    }
}

extension NameLexicon {
    /// The stand-ins of substitute mode, in a fixed order (the seed picks from them).
    static let substituteGiven: [String] = givenNames.filter { $0.count > 2 && !notNames.contains($0) }.sorted()
    static let substituteSurnames: [String] = surnames.filter { $0.count > 2 && !notNames.contains($0) && !institutionWords.contains($0) }.sorted()
}

extension NameLexicon {
    /// Verbs that, right after a capitalised word, say it names a person: "Lochner
    /// appealed", "Byrd sued".
    static let personVerbs: Set<String> = words("""
        sued argued contended claimed alleged appealed petitioned testified pled pleaded confessed asserted challenged refused
        sought asked requested complained admitted died married worked lived resided purchased bought paid received stated told
        said wrote signed agreed killed shot robbed murdered attempted left returned objected responded retired resigned served
        moved applied insisted maintained believed knew wanted decided admitted denied appeared pleaded filed cited invoked
        lost won owned operated brought sold entered became accepted works worked lives
        """)

    /// Adverbs allowed between a name and its verb ("Reno then filed").
    static let adverbs: Set<String> = ["then", "later", "also", "subsequently", "eventually", "again", "immediately", "thereafter", "soon", "initially", "ultimately", "first"]

    /// Participles after "was"/"were": "Gitlow was arrested".
    static let personParticiples: Set<String> = words("""
        arrested convicted indicted charged sentenced hired fired employed born executed injured killed detained questioned
        interrogated discharged terminated tried elected appointed paroled deported married accused stopped searched
        imprisoned incarcerated jailed acquitted pardoned released suspended dismissed expelled disbarred committed confined denied
        """)

    /// Nouns after a possessive that belong to a person: "Wiener's resignation".
    static let possessedByPerson: Set<String> = words("""
        wife husband son sons daughter daughters mother father brother sister parents children family girlfriend boyfriend
        attorney attorneys lawyer lawyers counsel conviction convictions sentence resignation employer home house apartment car
        arrest confession death estate testimony guilt trial innocence release parole residence bedroom argument arguments claim
        claims petition motion
        """)

    /// Nouns after "X, a ..." that make X an organisation or a place, not a person.
    static let nonPersonAppositives: Set<String> = words("""
        corporation company firm newspaper city state agency union bank town county organization association group business
        partnership subsidiary nonprofit non-profit trust district township village church school university college publisher
        manufacturer distributor retailer chain
        """)
}
