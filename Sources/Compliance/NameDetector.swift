import Foundation

/// Finds persons' names (and, when asked, organisations named after one) in legal text
/// without a statistical model, from evidence a reader would use:
/// - a title before capitalised words ("Mr. Smith", "Justice White", "Officer Lopez");
/// - a party role or relation before them ("petitioner Jane Roe", "respondent, Smith");
/// - a given name or an initial followed by a surname-shaped word ("William Marbury",
///   "J. Edgar Hoover"), or a run of two or more name-shaped words one of which the
///   Census gazetteer knows as a given name or surname ("Ernesto Miranda");
/// - the parties of a case name ("Gideon v. Wainwright");
/// - names the caller knows (a case's party list);
/// then every later mention of a surname or given name found this way ("Marbury
/// petioned ..."), since legal text names a person in full once and by surname after.
/// Capitalised words that start sentences, name places, institutions, documents or
/// legal vocabulary never count as names by themselves.
struct NameDetector {
    /// Known names (e.g. the parties of the case): each is found verbatim, and its
    /// words count as established names.
    var knownNames: [String] = []
    /// Name words established elsewhere (earlier documents of the corpus), lower case.
    var knownWords: Set<String> = []
    var findOrganizations = false

    /// What one text holds: the names found, and the words of those strong enough to be
    /// carried into later texts of the corpus.
    struct Findings {
        var entities: [DetectedEntity]
        /// Lower-case words of the names found on strong evidence: a full name (two name
        /// words or more) with a given name, an initial, a title, a role, a verb only
        /// people do or a known party behind it, or a surname after a personal title
        /// ("Mr. Smith"). A run taken for a name only because one word is on the surname
        /// list ("Net Sales": Sales is a Census surname) is masked where it stands but
        /// never carried, in this text or later ones.
        var carried: Set<String>
    }

    func detect(in text: ScalarText) -> [DetectedEntity] { findings(in: text).entities }

    func findings(in text: ScalarText) -> Findings {
        let tokens = NameTokenizer.tokens(text)
        var person = [Bool](repeating: false, count: tokens.count)
        var established = knownWords
        var carried: Set<String> = []
        for name in knownNames {
            let words = NameLexicon.words(name.replacingOccurrences(of: ",", with: " ")).filter(isNameWord)
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) }
            established.formUnion(words)
            if words.count >= 2 { carried.formUnion(words) }
        }

        let (blocked, usedAsTerms) = notNameTokens(tokens, in: text)
        established.subtract(blocked.map { tokens[$0].lower })

        // Pass 1: runs of name-shaped words with evidence. A run is cut at words that
        // are not names (places, institutions, openers); each piece is judged alone.
        for run in runs(tokens) {
            for body in segments(of: run, tokens, blocked: blocked) {
                let after = body[body.count - 1] + 1
                if after < tokens.count, joins(tokens, after), tokens[after].capitalised, NameLexicon.institutionWords.contains(tokens[after].lower) { continue }
                let before = body[0] > 0 ? body[0] - 1 : nil
                // "Chief Financial Officer": a title around the words makes them an office.
                if after < tokens.count, joins(tokens, after), tokens[after].capitalised, NameLexicon.honorifics.contains(tokens[after].lower) { continue }
                let titled = before.map { NameLexicon.honorifics.contains(tokens[$0].lower) } ?? false
                let roled = before.map { isRoleCue(tokens, $0) && !blocked.contains($0) } ?? false
                // Words this text also uses as defined terms ("the Product", "the Boyle
                // Crew") are a name only on strong evidence, found here or carried in.
                let termWords = body.filter { usedAsTerms.contains(tokens[$0].lower) }
                let termsAllowed = termWords.allSatisfy { established.contains(tokens[$0].lower) }
                let isPerson: Bool
                // Strong: enough to count other mentions of its words in this text as the
                // same name. Named: a given name or an initial in it, enough to carry it
                // into later texts.
                let strong: Bool
                var named = false
                var context = false
                if body.count >= 2 {
                    let first = tokens[body[0]], last = tokens[body[body.count - 1]]
                    let given = body.contains { NameLexicon.givenNames.contains(tokens[$0].lower) }
                    let surname = body.contains { NameLexicon.surnames.contains(tokens[$0].lower) }
                    context = personContext(tokens, after: body[body.count - 1])
                    // A rarer given name counts beside a surname, a case name or a verb only people do.
                    let rareGiven = NameLexicon.rareGivenNames.contains(first.lower)
                        && (surname || isCaseParty(tokens, body[body.count - 1]) || context || titled || roled)
                    // An initial names only before a listed name ("J. Edgar Hoover"; not "Schedule A. Licensed Product").
                    let second = tokens[body[1]].lower
                    let initialed = first.initial && (NameLexicon.givenNames.contains(second) || NameLexicon.rareGivenNames.contains(second) || NameLexicon.surnames.contains(second) || tokens[body[1]].initial)
                    named = (initialed || NameLexicon.givenNames.contains(first.lower) || rareGiven) && !last.initial
                    let knownWord = body.contains { established.contains(tokens[$0].lower) }
                    strong = titled || roled || named || ((given || knownWord) && !last.initial) || context
                } else {
                    strong = titled || roled
                }
                // A verb only people do after two name words ("Panagis Vartelas became")
                // outweighs "the Vartelas" elsewhere; after one word ("Product returned") not.
                if titled || roled || named || context {
                    isPerson = true
                } else if !termsAllowed {
                    isPerson = false
                } else if body.count >= 2 {
                    let last = tokens[body[body.count - 1]]
                    isPerson = strong || (body.contains { NameLexicon.surnames.contains(tokens[$0].lower) } && !last.initial)
                } else {
                    let found = established.contains(tokens[body[0]].lower) || (tokens[body[0]].text.count > 2 && personContext(tokens, after: body[0]))
                    isPerson = found || isCaseParty(tokens, body[0])
                }
                guard isPerson else { continue }
                let words = body.filter { !tokens[$0].initial && !NameLexicon.suffixes.contains(tokens[$0].lower) && !NameLexicon.particles.contains(tokens[$0].lower) }
                    .map { tokens[$0].lower }
                for i in body { person[i] = true }
                if strong || body.count == 1 { established.formUnion(words) }
                let personalTitle = before.map { NameLexicon.personalTitles.contains(tokens[$0].lower) } ?? false
                // Carried only when a title or role stands before it or the last word is on a
                // name list too ("Jane Roe"; not "Wade Product", where a given name
                // precedes a product's name).
                let listedLast = words.last.map { NameLexicon.surnames.contains($0) || NameLexicon.givenNames.contains($0) || NameLexicon.rareGivenNames.contains($0) } ?? false
                if ((named && words.count >= 2 && (listedLast || titled || roled)) || personalTitle) && termWords.isEmpty {
                    carried.formUnion(words)
                }
            }
        }

        // A title before a word that is a surname as well as an ordinary word ("Justice
        // White", "Judge Black"): the title settles it.
        for i in tokens.indices.dropFirst() where !person[i] && tokens[i].capitalised
            && NameLexicon.honorifics.contains(tokens[i - 1].lower) && NameLexicon.surnames.contains(tokens[i].lower)
            && !NameLexicon.institutionWords.contains(tokens[i].lower) && !NameLexicon.honorifics.contains(tokens[i].lower) {
            person[i] = true
            if NameLexicon.personalTitles.contains(tokens[i - 1].lower) { carried.insert(tokens[i].lower) }
        }

        // Pass 2: later (and earlier) mentions of an established name.
        for (i, t) in tokens.enumerated() where !person[i] && !blocked.contains(i) && t.capitalised && established.contains(t.lower) {
            if let next = tokens.indices.contains(i + 1) ? tokens[i + 1] : nil, next.joinsPrevious, next.capitalised,
               NameLexicon.institutionWords.contains(next.lower) { continue }
            person[i] = true
        }

        var found: [DetectedEntity] = []
        var i = 0
        while i < tokens.count {
            guard person[i] else { i += 1; continue }
            var j = i
            while j + 1 < tokens.count, person[j + 1], joins(tokens, j + 1) { j += 1 }
            found.append(DetectedEntity(type: .person, start: tokens[i].start, end: tokens[j].end + (tokens[j].initial ? 1 : 0)))
            i = j + 1
        }
        if findOrganizations { found += organizations(in: text, established: established) }
        carried = carried.filter(isNameWord)
        return Findings(entities: found, carried: carried)
    }

    /// A word that can be part of a name: not a sentence opener, place or institution.
    private func isNameWord(_ lower: String) -> Bool {
        !lower.isEmpty && !NameLexicon.notNames.contains(lower) && !NameLexicon.institutionWords.contains(lower)
            && !NameLexicon.honorifics.contains(lower)
    }

    /// Whether token `j` continues the name that token `j - 1` is part of.
    private func joins(_ tokens: [NameToken], _ j: Int) -> Bool {
        let prev = tokens[j - 1], t = tokens[j]
        if t.joinsPrevious { return true }
        let gap = t.gap.trimmingCharacters(in: .whitespaces)
        if gap == ".", prev.followedByPeriod, prev.initial || NameLexicon.honorifics.contains(prev.lower) { return true }
        if gap == ",", NameLexicon.suffixes.contains(t.lower) { return true }
        return false
    }

    /// Maximal runs of capitalised words, initials, inner particles and suffixes, one
    /// name's worth each; titles at the start are left out of the run (they are
    /// evidence, not part of the name).
    private func runs(_ tokens: [NameToken]) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        func flush() {
            while let last = current.last, NameLexicon.particles.contains(tokens[last].lower) { current.removeLast() }
            if !current.isEmpty { result.append(current) }
            current = []
        }
        for (i, t) in tokens.enumerated() {
            let shaped = t.capitalised || t.initial
            let particle = !current.isEmpty && NameLexicon.particles.contains(t.lower)
            let suffix = !current.isEmpty && NameLexicon.suffixes.contains(t.lower)
            if (shaped || particle || suffix), !current.isEmpty, joins(tokens, i) {
                current.append(i)
                continue
            }
            flush()
            if shaped && !NameLexicon.honorifics.contains(t.lower) { current = [i] }
            else if shaped, NameLexicon.honorifics.contains(t.lower) { result.append([]); current = [] }
        }
        flush()
        // A title ends a run and starts none ("Chief Justice Warren" is the run
        // "Warren"); `detect` looks one word back for it.
        return result.filter { !$0.isEmpty }
    }

    /// The pieces of a run between words that cannot be names, with inner particles
    /// kept and leading or trailing ones dropped.
    private func segments(of run: [Int], _ tokens: [NameToken], blocked: Set<Int>) -> [[Int]] {
        var pieces: [[Int]] = []
        var current: [Int] = []
        func flush() {
            while let f = current.first, NameLexicon.particles.contains(tokens[f].lower) || NameLexicon.suffixes.contains(tokens[f].lower) { current.removeFirst() }
            while let l = current.last, NameLexicon.particles.contains(tokens[l].lower) { current.removeLast() }
            if !current.isEmpty { pieces.append(current) }
            current = []
        }
        for i in run {
            let t = tokens[i]
            if blocked.contains(i) { flush(); continue }
            // "Byron White", "Randall D. White", "George Washington": after a given
            // name or an initial, a surname that is also an ordinary word stays.
            if let p = current.last, tokens[p].initial || NameLexicon.givenNames.contains(tokens[p].lower)
                || NameLexicon.rareGivenNames.contains(tokens[p].lower),
               NameLexicon.surnames.contains(t.lower), !NameLexicon.institutionWords.contains(t.lower) {
                current.append(i)
                continue
            }
            if !t.initial && (NameLexicon.notNames.contains(t.lower) || NameLexicon.institutionWords.contains(t.lower) || NameLexicon.honorifics.contains(t.lower)) {
                flush()
            } else {
                current.append(i)
            }
        }
        flush()
        return pieces
    }

    /// Tokens that are never names in this text, whatever their shape:
    /// - the words of the capitalised phrases it quotes (`the "Surviving Company"`),
    ///   unless the gazetteer knows the word as a name;
    /// - the words of the terms it defines, gazetteer names or not: a quoted phrase in a
    ///   definition's frame (`(the "Company")`, `(hereinafter "Licensee")`, `"Net Sales"
    ///   means`) or an unquoted capitalised phrase before "means" or "has the meaning"
    ///   (contract excerpts often lose the quotes); an alias of the person just named
    ///   (`Jane Smith ("Smith")`) stays a name;
    /// - "U.S." and "U. S.", which look like two initials.
    /// Also the words the text uses as defined terms (`usedAsTerms`): capitalised phrases
    /// after "the", "such", "any", "all", "each", "said" and the like ("such Net Sales",
    /// "the Licensed Territory", "any Product") with no given name, initial or title in
    /// them. Persons are not written so, but a surname can be ("the Boyle Crew"), so these
    /// words stay names where strong evidence makes them one ("Edmund Boyle").
    private func notNameTokens(_ tokens: [NameToken], in text: ScalarText) -> (blocked: Set<Int>, usedAsTerms: Set<String>) {
        var definedWords: Set<String> = []
        var termWords: Set<String> = []
        var definitions: [Range<Int>] = []
        for pattern in [Self.quotedDefinitionBefore, Self.quotedDefinitionAfter] {
            for m in text.matches(pattern) { if let r = m[1] { definitions.append(r) } }
        }
        for m in text.matches(Self.definedTerm) {
            guard let r = m[1] else { continue }
            let words = NameLexicon.words(text.text(r).replacingOccurrences(of: "-", with: " "))
            if definitions.contains(r), !isAlias(r, tokens) {
                definedWords.formUnion(words)
            } else {
                definedWords.formUnion(words.filter { !NameLexicon.givenNames.contains($0) && !NameLexicon.surnames.contains($0) })
            }
        }
        // Unquoted: the capitalised run just before "means" / "has the meaning".
        for (i, t) in tokens.enumerated() where i > 0 && t.joinsPrevious && tokens[i - 1].capitalised && Self.definesBy(tokens, i) {
            let run = capitalisedRun(tokens, endingAt: i - 1)
            if !run.contains(where: { tokens[$0].initial || NameLexicon.givenNames.contains(tokens[$0].lower) }) {
                definedWords.formUnion(run.map { tokens[$0].lower })
            }
        }
        // "such Net Sales", "the Licensed Territory", "any Product".
        for (i, t) in tokens.enumerated() where NameLexicon.definedTermDeterminers.contains(t.lower) && i + 1 < tokens.count {
            let run = capitalisedRun(tokens, startingAt: i + 1)
            guard !run.isEmpty, !run.contains(where: { tokens[$0].initial || NameLexicon.givenNames.contains(tokens[$0].lower)
                || NameLexicon.rareGivenNames.contains(tokens[$0].lower) || NameLexicon.honorifics.contains(tokens[$0].lower) }) else { continue }
            // One word: "such Product", "any Licensee" (never a person); after "the"
            // only a word no name list knows ("the Product", not "the Smiths").
            // "The Creightons sued": a family.
            if run.count == 1, t.lower == "the", NameLexicon.surnames.contains(tokens[run[0]].lower)
                || (tokens[run[0]].lower.hasSuffix("s") && personContext(tokens, after: run[0])) { continue }
            termWords.formUnion(run.map { tokens[$0].lower })
        }
        var blocked: Set<Int> = []
        for (i, t) in tokens.enumerated() {
            if definedWords.contains(t.lower) { blocked.insert(i) }
            if t.lower == "u", t.initial, i + 1 < tokens.count, tokens[i + 1].lower == "s", tokens[i + 1].initial,
               tokens[i + 1].gap.trimmingCharacters(in: .whitespaces) == "." {
                blocked.formUnion([i, i + 1])
            }
        }
        return (blocked, termWords.subtracting(definedWords))
    }

    /// Whether token `i` starts "means", "shall mean", "has the meaning", "have the meanings".
    private static func definesBy(_ tokens: [NameToken], _ i: Int) -> Bool {
        func word(_ k: Int) -> String? { k < tokens.count && (k == i || tokens[k].joinsPrevious) ? tokens[k].lower : nil }
        switch tokens[i].lower {
        case "means": return true
        case "shall": return word(i + 1) == "mean" || (word(i + 1) == "have" && word(i + 2) == "the" && word(i + 3).map { $0.hasPrefix("meaning") } == true)
        case "has", "have": return word(i + 1) == "the" && word(i + 2).map { $0.hasPrefix("meaning") } == true
        default: return false
        }
    }

    /// The capitalised words joined by spaces that end at (or start at) token `k`.
    private func capitalisedRun(_ tokens: [NameToken], endingAt k: Int) -> [Int] {
        var start = k
        while start > 0, tokens[start].joinsPrevious, tokens[start - 1].capitalised { start -= 1 }
        return Array(start...k)
    }

    private func capitalisedRun(_ tokens: [NameToken], startingAt k: Int) -> [Int] {
        guard k < tokens.count, tokens[k].joinsPrevious, tokens[k].capitalised else { return [] }
        var end = k
        while end + 1 < tokens.count, tokens[end + 1].joinsPrevious, tokens[end + 1].capitalised { end += 1 }
        return Array(k...end)
    }

    /// A quoted term that repeats words of the name just before its parenthesis, when
    /// that name has a given name or an initial: `Jane Smith ("Smith")`.
    private func isAlias(_ term: Range<Int>, _ tokens: [NameToken]) -> Bool {
        guard let first = tokens.firstIndex(where: { $0.start >= term.lowerBound }) else { return false }
        let inside = tokens[first...].prefix { $0.end <= term.upperBound }.map(\.lower)
        guard first > 0 else { return false }
        var k = first - 1
        // Skip "the", "hereinafter" and the like between the name and the quote.
        while k > 0, !tokens[k].capitalised || NameLexicon.openers.contains(tokens[k].lower) { k -= 1; if first - k > 4 { return false } }
        let name = capitalisedRun(tokens, endingAt: k)
        let words = Set(name.map { tokens[$0].lower })
        return !inside.isEmpty && inside.allSatisfy(words.contains)
            && name.contains { tokens[$0].initial || NameLexicon.givenNames.contains(tokens[$0].lower) || NameLexicon.rareGivenNames.contains(tokens[$0].lower) }
    }

    /// A quoted capitalised phrase of at most six words: how contracts define terms.
    static let definedTerm = NSRegularExpression.compiled(
        "[\"\u{201C}]([A-Z][A-Za-z'\u{2019}-]*(?:\\s+[A-Za-z][A-Za-z'\u{2019}-]*){0,5})[\"\u{201D}]")
    /// The same phrase in a definition's frame: after an opening parenthesis (with "the",
    /// "a", "each", "collectively", "hereinafter", "referred to as" and the like), or after
    /// "hereinafter", "referred to as", "the term".
    static let quotedDefinitionBefore = NSRegularExpression.compiled(
        "(?:\\(\\s*(?:(?:the|a|an|each|collectively|individually|together|jointly|hereinafter|hereafter|herein|referred\\s+to\\s+as|called|as)\\b[\\s,]*)*|\\b(?:referred\\s+to\\s+as|hereinafter|hereafter|called|the\\s+term|defined\\s+as)\\s+(?:the\\s+)?)[\"\u{201C}]{1,2}([A-Z][A-Za-z'\u{2019}-]*(?:\\s+[A-Za-z][A-Za-z'\u{2019}-]*){0,5})[\"\u{201D}]",
        caseInsensitive: false)
    /// ... or before "means", "shall mean", "has the meaning".
    static let quotedDefinitionAfter = NSRegularExpression.compiled(
        "[\"\u{201C}]([A-Z][A-Za-z'\u{2019}-]*(?:\\s+[A-Za-z][A-Za-z'\u{2019}-]*){0,5})[\"\u{201D}]{1,2}\\s*(?:shall\\s+)?(?:means?|ha(?:s|ve)\\s+the\\s+meanings?)\\b")

    /// "petitioner Smith", "respondent, Jane Roe", "his wife Mary".
    private func isRoleCue(_ tokens: [NameToken], _ i: Int) -> Bool {
        NameLexicon.roleCues.contains(tokens[i].lower)
    }

    /// What follows word `i` says it names a person: a verb only people do ("Lochner
    /// appealed"), "was arrested", a possessive of a person's things ("Wiener's
    /// resignation"), or an apposition ("Gitlow, a socialist").
    private func personContext(_ tokens: [NameToken], after i: Int) -> Bool {
        guard i + 1 < tokens.count else { return false }
        var next = tokens[i + 1]
        var then = i + 2 < tokens.count ? tokens[i + 2] : nil
        // "the Williamson family"
        if i >= 1, tokens[i - 1].lower == "the", next.joinsPrevious, next.lower == "family" { return true }
        // "Hicklin and others", "Boos and his co-defendants"
        if next.joinsPrevious, next.lower == "and", let then, then.joinsPrevious,
           ["others", "other", "his", "her", "several", "two", "three", "four", "five"].contains(then.lower) { return true }
        // "Houchins, the Sheriff of ..."
        if next.gap == ", ", next.lower == "the", let then, NameLexicon.honorifics.contains(then.lower) || NameLexicon.roleCues.contains(then.lower) { return true }
        // "Reno then filed": one adverb between the name and its verb.
        if next.joinsPrevious, NameLexicon.adverbs.contains(next.lower), let t = then, t.joinsPrevious {
            next = t
            then = i + 3 < tokens.count ? tokens[i + 3] : nil
        }
        if next.joinsPrevious, NameLexicon.personVerbs.contains(next.lower) { return true }
        if next.joinsPrevious, ["was", "were", "had"].contains(next.lower), let then {
            if NameLexicon.personParticiples.contains(then.lower) { return true }
            if then.lower == "been", i + 3 < tokens.count, NameLexicon.personParticiples.contains(tokens[i + 3].lower) { return true }
        }
        if next.lower == "s", next.gap == "'" || next.gap == "\u{2019}", let then, then.joinsPrevious,
           NameLexicon.possessedByPerson.contains(then.lower) { return true }
        if next.gap == ", ", next.lower == "a" || next.lower == "an", let then, then.joinsPrevious,
           !NameLexicon.nonPersonAppositives.contains(then.lower) {
            // "Byrd, a resident of"; not "Amtrak, a corporation".
            let noun = i + 3 < tokens.count && tokens[i + 3].joinsPrevious && !tokens[i + 3].capitalised ? tokens[i + 3].lower : ""
            return !NameLexicon.nonPersonAppositives.contains(noun)
        }
        return false
    }

    /// A lone capitalised word that is one side of a case name ("Gideon v.
    /// Wainwright"); places and institutions ("Ohio", "United States") were cut
    /// from the run before this is asked.
    private func isCaseParty(_ tokens: [NameToken], _ i: Int) -> Bool {
        let isV: (NameToken) -> Bool = { ($0.lower == "v" || $0.lower == "vs") && $0.followedByPeriod }
        return (i + 1 < tokens.count && isV(tokens[i + 1])) || (i >= 1 && isV(tokens[i - 1]))
    }

    static let organizationPattern = NSRegularExpression.compiled(
        "\\b((?:[A-Z][a-z'-]+\\s+){0,2}[A-Z][a-z'-]+)(?:'s|\\u2019s)?\\s+(?:&\\s+(?:Sons|Daughters|Associates|Partners|Co\\.?)|(?:Family\\s+)?(?:Trust|Foundation|Farms?|Plumbing|Bakery|Construction|Consulting|Law\\s+(?:Firm|Office))|(?:Enterprises|Holdings|Properties))(?:,?\\s+(?:Inc|LLC|L\\.L\\.C|Ltd|Co|Corp)\\.?)?")

    /// Organisations named after an individual: "Smith & Sons", "the Doe Family Trust",
    /// "Garcia Plumbing, Inc." — the leading words must hold a known or gazetteer name.
    private func organizations(in text: ScalarText, established: Set<String>) -> [DetectedEntity] {
        text.matches(Self.organizationPattern).compactMap { m in
            guard let whole = m[0], let lead = m[1] else { return nil }
            let words = NameLexicon.words(text.text(lead))
            guard words.contains(where: { established.contains($0) || NameLexicon.surnames.contains($0) || NameLexicon.givenNames.contains($0) }),
                  !words.contains(where: { NameLexicon.notNames.contains($0) }) else { return nil }
            return DetectedEntity(type: .organization, start: whole.lowerBound, end: whole.upperBound)
        }
    }
}
