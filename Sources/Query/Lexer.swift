/// One token of query text with the position it starts at and the character offsets
/// it spans (projection items without an alias are named by their source text).
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A name: keyword, variable, label, function or property key. `quoted` for `backticks`.
        case identifier(String, quoted: Bool)
        case integer(String)
        case float(String)
        case string(String)
        case parameter(String)
        /// Punctuation and operators: `( ) [ ] { } , . .. : | - + * / % ^ = <> != < > <= >= =~ ; $`
        case symbol(String)
        case end
    }
    public var kind: Kind
    public var position: SourcePosition
    public var start: Int
    public var end: Int
}

/// Splits query text into tokens. Keywords are not distinguished here: the parser
/// compares identifiers case-insensitively, so keywords stay usable as property keys.
public struct Lexer {
    let chars: [Character]
    let source: String
    var index = 0
    var line = 1
    var column = 1

    public init(_ source: String) {
        self.source = source
        self.chars = Array(source)
    }

    public static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source)
        return try lexer.tokenize()
    }

    /// Every token of the text, the end token last.
    public mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Character? {
        let i = index + offset
        return i < chars.count ? chars[i] : nil
    }

    private mutating func advance() {
        if chars[index] == "\n" || chars[index] == "\r\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private func error(_ message: String, _ position: SourcePosition) -> QueryError {
        QueryError(.syntax, "UnexpectedSyntax", message, at: position, in: source)
    }

    private mutating func skipSpaceAndComments() throws {
        while let c = peek() {
            if c.isWhitespace { advance(); continue }
            if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n", d != "\r\n" { advance() }
                continue
            }
            if c == "/", peek(1) == "*" {
                let start = SourcePosition(line: line, column: column)
                advance(); advance()
                while true {
                    guard let d = peek() else { throw error("unterminated comment", start) }
                    if d == "*", peek(1) == "/" { advance(); advance(); break }
                    advance()
                }
                continue
            }
            return
        }
    }

    public mutating func next() throws -> Token {
        try skipSpaceAndComments()
        let position = SourcePosition(line: line, column: column)
        let start = index
        func token(_ kind: Token.Kind) -> Token { Token(kind: kind, position: position, start: start, end: index) }
        guard let c = peek() else { return token(.end) }

        if c.isLetter || c == "_" {
            while let d = peek(), d.isLetter || d.isNumber || d == "_" { advance() }
            return token(.identifier(String(chars[start..<index]), quoted: false))
        }
        if c == "`" {
            advance()
            var name = ""
            while true {
                guard let d = peek() else { throw error("unterminated `quoted name`", position) }
                advance()
                if d == "`" {
                    if peek() == "`" { advance(); name.append("`"); continue }
                    break
                }
                name.append(d)
            }
            return token(.identifier(name, quoted: true))
        }
        if c.isASCII && c.isNumber || (c == "." && (peek(1)?.isASCII ?? false) && (peek(1)?.isNumber ?? false)) {
            return try number(position, start)
        }
        if c == "'" || c == "\"" { return token(.string(try string(quote: c, position))) }
        if c == "$" {
            advance()
            if peek() == "`" {
                let quoted = try next()
                if case .identifier(let name, _) = quoted.kind { return token(.parameter(name)) }
            }
            let nameStart = index
            while let d = peek(), d.isLetter || d.isNumber || d == "_" { advance() }
            guard index > nameStart else { throw error("expected a parameter name after '$'", position) }
            return token(.parameter(String(chars[nameStart..<index])))
        }
        let two = peek(1).map { String([c, $0]) } ?? ""
        if ["<=", ">=", "<>", "!=", "=~", ".."].contains(two) {
            advance(); advance()
            return token(.symbol(two))
        }
        if "()[]{},.:|-+*/%^=<>;".contains(c) {
            advance()
            return token(.symbol(String(c)))
        }
        throw error("unexpected character '\(c)'", position)
    }

    private mutating func number(_ position: SourcePosition, _ start: Int) throws -> Token {
        if peek() == "0", let x = peek(1), x == "x" || x == "o" {
            advance(); advance()
            while let d = peek(), d.isHexDigit || d.isLetter { advance() }
            return Token(kind: .integer(String(chars[start..<index])), position: position, start: start, end: index)
        }
        var isFloat = false
        while let d = peek(), d.isASCII && d.isNumber { advance() }
        if peek() == ".", let d = peek(1), d.isASCII && d.isNumber {
            isFloat = true
            advance()
            while let d = peek(), d.isASCII && d.isNumber { advance() }
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let s = peek(1), s == "-" || s == "+" { k = 2 }
            if let d = peek(k), d.isASCII && d.isNumber {
                isFloat = true
                for _ in 0..<k { advance() }
                while let d = peek(), d.isASCII && d.isNumber { advance() }
            }
        }
        // A number glued to letters (`1abc`) is not a number.
        if let d = peek(), d.isLetter || d == "_" {
            while let d = peek(), d.isLetter || d.isNumber || d == "_" { advance() }
            throw error("invalid number '\(String(chars[start..<index]))'", position)
        }
        let text = String(chars[start..<index])
        return Token(kind: isFloat ? .float(text) : .integer(text), position: position, start: start, end: index)
    }

    private mutating func string(quote: Character, _ position: SourcePosition) throws -> String {
        advance()
        var out = ""
        while true {
            guard let c = peek() else { throw error("unterminated string", position) }
            advance()
            if c == quote { return out }
            if c == "\\" {
                guard let e = peek() else { throw error("unterminated string", position) }
                advance()
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "\\": out.append("\\")
                case "'": out.append("'")
                case "\"": out.append("\"")
                case "u", "U":
                    let count = e == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<count {
                        guard let h = peek(), h.isHexDigit else { throw error("invalid \\\(e) escape in string", position) }
                        hex.append(h); advance()
                    }
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw error("invalid \\\(e) escape in string", position)
                    }
                    out.unicodeScalars.append(scalar)
                default:
                    throw error("invalid escape '\\\(e)' in string", position)
                }
                continue
            }
            out.append(c)
        }
    }
}
