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

    func detect(in text: ScalarText) -> [DetectedEntity] {
        let tokens = NameTokenizer.tokens(text)
        var person = [Bool](repeating: false, count: tokens.count)
        var established = knownWords
        for name in knownNames {
            for word in NameLexicon.words(name.replacingOccurrences(of: ",", with: " ")) where isNameWord(word) {
                established.insert(word.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
            }
        }

        let blocked = notNameTokens(tokens, in: text)
        established.subtract(blocked.map { tokens[$0].lower })

        // Pass 1: runs of name-shaped words with evidence. A run is cut at words that
        // are not names (places, institutions, openers); each piece is judged alone.
        for run in runs(tokens) {
            for body in segments(of: run, tokens, blocked: blocked) {
                let after = body[body.count - 1] + 1
                if after < tokens.count, joins(tokens, after), tokens[after].capitalised, NameLexicon.institutionWords.contains(tokens[after].lower) { continue }
                let before = body[0] > 0 ? body[0] - 1 : nil
                let titled = before.map { NameLexicon.honorifics.contains(tokens[$0].lower) } ?? false
                let roled = before.map { isRoleCue(tokens, $0) && !blocked.contains($0) } ?? false
                let isPerson: Bool
                if titled || roled {
                    isPerson = true
                } else if body.count >= 2 {
                    let first = tokens[body[0]], last = tokens[body[body.count - 1]]
                    let known = body.contains { NameLexicon.givenNames.contains(tokens[$0].lower) || NameLexicon.surnames.contains(tokens[$0].lower) || established.contains(tokens[$0].lower) }
                    isPerson = ((first.initial || known) && !last.initial) || personContext(tokens, after: body[body.count - 1])
                } else {
                    isPerson = established.contains(tokens[body[0]].lower) || isCaseParty(tokens, body[0])
                        || (tokens[body[0]].text.count > 2 && personContext(tokens, after: body[0]))
                }
                guard isPerson else { continue }
                for i in body {
                    person[i] = true
                    let t = tokens[i]
                    if !t.initial, !NameLexicon.suffixes.contains(t.lower), !NameLexicon.particles.contains(t.lower) {
                        established.insert(t.lower)
                    }
                }
            }
        }

        // A title before a word that is a surname as well as an ordinary word ("Justice
        // White", "Judge Black"): the title settles it.
        for i in tokens.indices.dropFirst() where !person[i] && tokens[i].capitalised
            && NameLexicon.honorifics.contains(tokens[i - 1].lower) && NameLexicon.surnames.contains(tokens[i].lower)
            && !NameLexicon.institutionWords.contains(tokens[i].lower) && !NameLexicon.honorifics.contains(tokens[i].lower) {
            person[i] = true
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
        return found
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
            if let p = current.last, tokens[p].initial || NameLexicon.givenNames.contains(tokens[p].lower),
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
    /// - the words of the text's defined terms, the capitalised phrases it quotes
    ///   (`(the "Surviving Company")`, `hereinafter "Lessor"`), unless the gazetteer
    ///   knows the word as a name (`Jane Smith ("Smith")` keeps Smith a name);
    /// - "U.S." and "U. S.", which look like two initials.
    private func notNameTokens(_ tokens: [NameToken], in text: ScalarText) -> Set<Int> {
        var definedWords: Set<String> = []
        for m in text.matches(Self.definedTerm) {
            guard let r = m[1] else { continue }
            for word in NameLexicon.words(text.text(r).replacingOccurrences(of: "-", with: " "))
            where !NameLexicon.givenNames.contains(word) && !NameLexicon.surnames.contains(word) {
                definedWords.insert(word)
            }
        }
        var blocked: Set<Int> = []
        for (i, t) in tokens.enumerated() {
            if definedWords.contains(t.lower) { blocked.insert(i) }
            if t.lower == "u", t.initial, i + 1 < tokens.count, tokens[i + 1].lower == "s", tokens[i + 1].initial,
               tokens[i + 1].gap.trimmingCharacters(in: .whitespaces) == "." {
                blocked.formUnion([i, i + 1])
            }
        }
        return blocked
    }

    /// A quoted capitalised phrase of at most six words: how contracts define terms.
    static let definedTerm = NSRegularExpression.compiled(
        "[\"\u{201C}]([A-Z][A-Za-z'\u{2019}-]*(?:\\s+[A-Za-z][A-Za-z'\u{2019}-]*){0,5})[\"\u{201D}]")

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
