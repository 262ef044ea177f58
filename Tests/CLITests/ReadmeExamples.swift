import Foundation

/// The example command lines of README.md: every line starting with `lexgraph ` inside a
/// ```sh block, read from the README itself so the tests follow it.
struct ReadmeExample: Hashable, CustomStringConvertible {
    /// The line as the README writes it, without a trailing `# comment`.
    let line: String
    /// README line number (1-based).
    let lineNumber: Int

    var description: String { "README.md:\(lineNumber): \(line)" }

    /// The arguments after `lexgraph`, split as a POSIX shell would (quotes removed).
    var arguments: [String] { get throws { Array(try ReadmeExamples.shellWords(line).dropFirst()) } }

    /// The arguments with the value of `--db` replaced by `path`.
    func replacingDatabase(with path: String) throws -> [String] {
        var args = try arguments
        guard let i = args.firstIndex(of: "--db"), i + 1 < args.count else { throw CLI.Failure(description: "\(self) has no --db") }
        args[i + 1] = path
        return args
    }
}

enum ReadmeExamples {
    static func all() throws -> [ReadmeExample] {
        let text = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        var out: [ReadmeExample] = []
        var inShellBlock = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") { inShellBlock = !inShellBlock && line == "```sh"; continue }
            guard inShellBlock, line.hasPrefix("lexgraph ") else { continue }
            out.append(ReadmeExample(line: try withoutComment(line), lineNumber: i + 1))
        }
        return out
    }

    /// The README's `lexgraph build ... --db PATH` example: it builds the shared graph.
    static func buildCommand() throws -> ReadmeExample {
        guard let build = try all().first(where: { $0.line.hasPrefix("lexgraph build ") && $0.line.contains("--db ") }) else {
            throw CLI.Failure(description: "README.md has no `lexgraph build ... --db PATH` example in a ```sh block")
        }
        return build
    }

    /// `line` without a `# comment` that starts a word outside quotes, trailing spaces trimmed.
    static func withoutComment(_ line: String) throws -> String {
        var quote: Character?
        var previous: Character = " "
        for i in line.indices {
            let c = line[i]
            if let q = quote { if c == q { quote = nil } }
            else if c == "'" || c == "\"" { quote = c }
            else if c == "#", previous == " " { return String(line[..<i]).trimmingCharacters(in: .whitespaces) }
            previous = c
        }
        guard quote == nil else { throw CLI.Failure(description: "unbalanced quote in README line: \(line)") }
        return line
    }

    /// POSIX shell word splitting for the forms the README uses: spaces, '...' and "..."
    /// (a backslash escapes `"`, `\`, `$` and a backquote inside double quotes).
    static func shellWords(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = "", inWord = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                guard let end = chars.firstIndex(of: "'") else { throw CLI.Failure(description: "unbalanced ' in \(line)") }
                word += String(chars[..<end]); chars = chars[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\"" { closed = true; break }
                    if d == "\\", let next = chars.first, "\"\\$`".contains(next) { word.append(chars.removeFirst()); continue }
                    if d == "$" || d == "`" { throw CLI.Failure(description: "shell expansion in a README example is not supported: \(line)") }
                    word.append(d)
                }
                guard closed else { throw CLI.Failure(description: "unbalanced \" in \(line)") }
            case "$", "`", "|", ">", "<", ";", "&":
                throw CLI.Failure(description: "shell syntax '\(c)' in a README example is not supported: \(line)")
            default:
                inWord = true; word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
