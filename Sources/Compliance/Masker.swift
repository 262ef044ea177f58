import Foundation

/// The masking stage: finds the entities a policy switches on and replaces each one,
/// either by a numbered placeholder (`[PERSON_1]`) or by a consistent fictional
/// substitute. One masker serves a whole corpus: the same original gets the same
/// placeholder or substitute in every document it masks, and `vault` accumulates the
/// reverse mapping (what `Vault` encrypts) for authorised unmasking.
public struct Masker {
    public let policy: MaskingPolicy
    public private(set) var vault: VaultContents
    /// Entities replaced, per type, since this masker was made.
    public private(set) var counts: [EntityType: Int] = [:]

    private var substitutes: Substitutes
    /// Placeholder of each original (by type and text), and per type the last number.
    private var placeholders: [String: String] = [:]
    private var lastNumber: [EntityType: Int] = [:]
    /// The name words of each person (by number), so "Smith" after "John Smith" is the
    /// same person n (a shorter form of the latest name that contains it), and "Byron
    /// White" after "Randall D. White" is not.
    private var personWords: [(number: Int, words: Set<String>)] = []
    /// Spellings seen so far of each person (by number).
    private var spellings: [Int: Int] = [:]
    /// The name words carried into later texts of the corpus: those the detector found on
    /// strong evidence (`NameDetector.Findings.carried`) and the parties' full names.
    private var corpusWords: Set<String> = []

    /// A masker continuing `vault` (a corpus masked before), or a new one.
    public init(policy: MaskingPolicy, continuing vault: VaultContents? = nil) throws {
        self.policy = policy
        substitutes = Substitutes(seed: policy.seed)
        self.vault = vault ?? VaultContents(mode: policy.mode.rawValue)
        if let vault {
            guard vault.mode == policy.mode.rawValue else {
                throw ComplianceError("the vault was written in \(vault.mode) mode and the policy asks for \(policy.mode.rawValue) mode: use the same mode for one corpus, or a new vault")
            }
            for entry in vault.entries { restore(entry) }
        }
    }

    /// The non-overlapping entities of `text` that the policy masks, in text order.
    /// `knownNames` are names the caller knows are in it (a case's parties).
    public func detect(_ text: String, knownNames: [String] = []) -> [DetectedEntity] {
        Self.detect(ScalarText(text), policy: policy, knownNames: knownNames).entities
    }

    /// The entities of `text`, and the name words strong enough to carry into later texts.
    static func detect(_ text: ScalarText, policy: MaskingPolicy, knownNames: [String], knownWords: Set<String> = []) -> (entities: [DetectedEntity], carried: Set<String>) {
        var all = PatternDetector().detect(in: text, enabled: policy.enabled)
        var carried: Set<String> = []
        if policy.enabled.contains(.person) || policy.enabled.contains(.organization) {
            let names = NameDetector(knownNames: knownNames, knownWords: knownWords, findOrganizations: policy.enabled.contains(.organization)).findings(in: text)
            all += names.entities.filter { policy.enabled.contains($0.type) }
            if policy.enabled.contains(.person) { carried = names.carried }
        }
        // Most specific first, then longest; a detection overlapping a kept one keeps
        // only its uncovered pieces ("C. Quackenbush" after the national id ending in
        // "C" keeps "Quackenbush"), trimmed to letters and digits.
        all.sort { ($0.type.priority, $0.length, -$0.start) > ($1.type.priority, $1.length, -$1.start) }
        var kept: [DetectedEntity] = []
        var covered = IndexSet()
        for e in all {
            var free = IndexSet(integersIn: e.start..<e.end)
            free.subtract(covered)
            for piece in free.rangeView {
                var lo = piece.lowerBound, hi = piece.upperBound
                if lo != e.start { while lo < hi, !Self.isWordScalar(text.scalars[lo]) { lo += 1 } }
                if hi != e.end { while hi > lo, !Self.isWordScalar(text.scalars[hi - 1]) && text.scalars[hi - 1] != "." { hi -= 1 } }
                guard lo < hi else { continue }
                kept.append(DetectedEntity(type: e.type, start: lo, end: hi))
                covered.insert(integersIn: lo..<hi)
            }
        }
        return (kept.sorted { $0.start < $1.start }, carried)
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil }

    /// `text` with every detected entity replaced.
    public mutating func mask(_ text: String, knownNames: [String] = []) -> String {
        maskReporting(text, knownNames: knownNames).text
    }

    /// `text` with every detected entity replaced, and the entities (offsets into `text`).
    public mutating func maskReporting(_ text: String, knownNames: [String] = []) -> (text: String, entities: [DetectedEntity]) {
        let scalars = ScalarText(text)
        let (entities, carried) = Self.detect(scalars, policy: policy, knownNames: knownNames, knownWords: corpusWords)
        corpusWords.formUnion(carried)
        var out = String.UnicodeScalarView()
        var position = 0
        for e in entities {
            out.append(contentsOf: scalars.scalars[position..<e.start])
            let original = scalars.text(e.start..<e.end)
            let replacement = self.replacement(for: original, type: e.type)
            out.append(contentsOf: replacement.unicodeScalars)
            counts[e.type, default: 0] += 1
            position = e.end
        }
        out.append(contentsOf: scalars.scalars[position...])
        return (String(out), entities)
    }

    /// A field known to hold a person's name (a party): masked whole, as one person,
    /// with the same placeholder or substitute the name gets in the text. Names of
    /// governments and organisations ("United States", "Acme Corp.") are left as they are.
    public mutating func maskName(_ name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard policy.enabled.contains(.person), !trimmed.isEmpty else { return name }
        let words = NameTokenizer.tokens(ScalarText(trimmed))
        guard !words.isEmpty, !words.contains(where: { NameLexicon.institutionWords.contains($0.lower) || (NameLexicon.notNames.contains($0.lower) && !NameLexicon.surnames.contains($0.lower) && !NameLexicon.givenNames.contains($0.lower) && !NameLexicon.openers.contains($0.lower)) }) else {
            return mask(name)
        }
        counts[.person, default: 0] += 1
        rememberName(trimmed)
        return name.replacingOccurrences(of: trimmed, with: replacement(for: trimmed, type: .person))
    }

    private mutating func replacement(for original: String, type: EntityType) -> String {
        let masked: String
        switch policy.mode {
        case .placeholder: masked = placeholder(for: original, type: type)
        case .substitute: masked = substitute(for: original, type: type)
        }
        vault.record(type: type, original: original, masked: masked)
        return masked
    }

    /// `[PERSON_3]` for the first spelling of person 3, `[PERSON_3.2]` for its second
    /// ("Smith" after "John Smith"): the number says who, and each spelling unmasks
    /// back exactly.
    private mutating func placeholder(for original: String, type: EntityType) -> String {
        let key = type.rawValue + "\u{0}" + original
        if let known = placeholders[key] { return known }
        let words = Self.nameWords(original)
        let made: String
        let wordSet = Set(words)
        if type == .person, !wordSet.isEmpty,
           let entity = personWords.last(where: { $0.words.isSuperset(of: wordSet) })?.number {
            let spelling = spellings[entity, default: 1] + 1
            spellings[entity] = spelling
            made = "[\(type.label)_\(entity).\(spelling)]"
        } else {
            let n = lastNumber[type, default: 0] + 1
            lastNumber[type] = n
            made = "[\(type.label)_\(n)]"
            if type == .person { personWords.append((n, wordSet)) }
        }
        placeholders[key] = made
        return made
    }

    private mutating func substitute(for original: String, type: EntityType) -> String {
        switch type {
        case .person, .organization: return substituteName(original)
        case .email: return substitutes.email(original)
        case .phone: return substitutes.phone(original)
        case .ssn: return substitutes.ssn(original)
        case .card: return substitutes.card(original)
        case .bankAccount: return substitutes.bankAccount(original)
        case .dateOfBirth: return substitutes.birthDate(original)
        case .address: return substitutes.address(original)
        case .nationalID, .docket: return substitutes.scrambled(type.rawValue, original)
        }
    }

    /// Replaces each name word of `original` (given names by given names, the last
    /// word and lone words by surnames); titles, particles, suffixes and an
    /// organisation's trade words stay.
    private mutating func substituteName(_ original: String) -> String {
        let scalars = ScalarText(original)
        let tokens = NameTokenizer.tokens(scalars)
        let nameIndices = tokens.indices.filter { i in
            let t = tokens[i]
            return (t.capitalised || t.initial) && !NameLexicon.suffixes.contains(t.lower) && !NameLexicon.particles.contains(t.lower)
                && !NameLexicon.institutionWords.contains(t.lower) && !NameLexicon.honorifics.contains(t.lower)
                && !(NameLexicon.notNames.contains(t.lower) && !NameLexicon.surnames.contains(t.lower) && !NameLexicon.givenNames.contains(t.lower))
        }
        let lastName = nameIndices.last
        var out = String.UnicodeScalarView()
        var position = 0
        for i in nameIndices {
            let t = tokens[i]
            out.append(contentsOf: scalars.scalars[position..<t.start])
            let given = i != lastName || (nameIndices.count == 1 && NameLexicon.givenNames.contains(t.lower) && !NameLexicon.surnames.contains(t.lower))
            let word = substitutes.nameWord(t.text, given: given)
            out.append(contentsOf: (t.initial ? String(word.prefix(1)) : word).unicodeScalars)
            position = t.end
        }
        out.append(contentsOf: scalars.scalars[position...])
        return String(out)
    }

    static func nameWords(_ text: String) -> [String] {
        NameTokenizer.tokens(ScalarText(text)).filter { !$0.initial && !NameLexicon.suffixes.contains($0.lower) && !NameLexicon.particles.contains($0.lower) }.map(\.lower)
    }

    /// A full name given as a party, or unmasked from a vault, is a known name in every
    /// later text, so "Nowak" alone is masked after "Anna Nowak" appeared anywhere in the
    /// corpus. What the detector finds in a text is carried only on strong evidence
    /// (`NameDetector.Findings.carried`); a vault does not record the evidence, so its
    /// names are carried when they hold a given name or an initial. Lone words are not
    /// carried: one doubtful detection must not spread through a corpus.
    private mutating func rememberName(_ original: String, fromVault: Bool = false) {
        let words = Self.nameWords(original)
        guard words.count >= 2 else { return }
        if fromVault {
            let tokens = NameTokenizer.tokens(ScalarText(original))
            guard tokens.contains(where: { $0.initial || NameLexicon.givenNames.contains($0.lower) || NameLexicon.rareGivenNames.contains($0.lower) }) else { return }
        }
        for w in words where !NameLexicon.notNames.contains(w) && !NameLexicon.institutionWords.contains(w) && !NameLexicon.honorifics.contains(w) {
            corpusWords.insert(w)
        }
    }

    /// Takes up an earlier run's mapping so this run continues it.
    private mutating func restore(_ entry: VaultContents.Entry) {
        guard let type = EntityType(rawValue: entry.type) else { return }
        if type == .person { rememberName(entry.original, fromVault: true) }
        switch policy.mode {
        case .placeholder:
            placeholders[type.rawValue + "\u{0}" + entry.original] = entry.masked
            // "[PERSON_3]" or "[PERSON_3.2]": entity 3, spelling 1 or 2.
            let numbers = entry.masked.dropFirst(type.label.count + 2).dropLast().split(separator: ".").compactMap { Int($0) }
            guard let n = numbers.first else { return }
            lastNumber[type] = max(lastNumber[type, default: 0], n)
            if numbers.count == 2 { spellings[n] = max(spellings[n, default: 1], numbers[1]) }
            if type == .person, numbers.count == 1 { personWords.append((n, Set(Self.nameWords(entry.original)))) }
        case .substitute:
            if type == .person || type == .organization {
                let from = Self.nameWords(entry.original), to = Self.nameWords(entry.masked)
                if from.count == to.count {
                    for (k, (o, s)) in zip(from, to).enumerated() {
                        substitutes.remember(kind: k == from.count - 1 ? "surname" : "given", original: o, substitute: s)
                    }
                }
            }
        }
    }
}
