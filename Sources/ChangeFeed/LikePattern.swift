/// SQL `LIKE` matching: `%` any run, `_` one character, `\` escapes. As in
/// PostgREST, `*` in a filter value also means `%`.
struct LikePattern {
    private enum Token: Equatable { case any, one, char(Unicode.Scalar) }
    private let tokens: [Token]
    private let caseInsensitive: Bool

    init(_ pattern: String, caseInsensitive: Bool) {
        self.caseInsensitive = caseInsensitive
        var tokens: [Token] = []
        var escaped = false
        for character in (caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars {
            if escaped {
                tokens.append(.char(character))
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%", "*": if tokens.last != .any { tokens.append(.any) }
            case "_": tokens.append(.one)
            default: tokens.append(.char(character))
            }
        }
        if escaped { tokens.append(.char("\\")) }
        self.tokens = tokens
    }

    func matches(_ text: String) -> Bool {
        let characters = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        // Iterative wildcard matching with backtracking to the last `%`.
        var t = 0, c = 0
        var starToken = -1, starChar = 0
        while c < characters.count {
            if t < tokens.count {
                switch tokens[t] {
                case .any:
                    starToken = t
                    starChar = c
                    t += 1
                    continue
                case .one:
                    t += 1
                    c += 1
                    continue
                case .char(let expected) where expected == characters[c]:
                    t += 1
                    c += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            t = starToken + 1
            starChar += 1
            c = starChar
        }
        while t < tokens.count, tokens[t] == .any { t += 1 }
        return t == tokens.count
    }
}
