/// PostgREST's comma lists with optional double quotes: `a,"b,c","d\"e"`.
/// Inside quotes a backslash escapes the next character.
enum QuotedList {
    static func split(_ text: String, parameter: String) throws(QueryError) -> [String] {
        var items: [String] = []
        var rest = Substring(text)
        if rest.isEmpty { return [] }
        while true {
            var item: String
            if rest.hasPrefix("\"") {
                let (unquoted, after) = try leadingQuoted(rest, parameter: parameter)
                item = unquoted
                rest = after
                guard rest.isEmpty || rest.hasPrefix(",") else {
                    throw QueryError(parameter: parameter, message: "has text after a closing quote")
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                item = String(rest[..<end])
                if item.contains("\"") {
                    throw QueryError(parameter: parameter, message: "has a quote inside an unquoted item")
                }
                rest = rest[end...]
            }
            items.append(item)
            guard rest.hasPrefix(",") else { break }
            rest = rest.dropFirst()
        }
        return items
    }

    /// Splits on commas outside double quotes, keeping the quotes (for items
    /// that continue after a quoted part, like `"a.b".desc`).
    static func splitKeepingQuotes(_ text: String, parameter: String) throws(QueryError) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                quoted.toggle()
            } else if character == "," && !quoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if quoted { throw QueryError(parameter: parameter, message: "has an unbalanced double quote") }
        items.append(current)
        return items
    }

    /// Reads `"…"` from the start; returns the unquoted text and the rest.
    static func leadingQuoted(_ text: Substring, parameter: String) throws(QueryError) -> (String, Substring) {
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                guard index < text.endIndex else { break }
                result.append(text[index])
            } else if character == "\"" {
                return (result, text[text.index(after: index)...])
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        throw QueryError(parameter: parameter, message: "has an unbalanced double quote")
    }

    /// A column name, quoted or not.
    static func unquoteName(_ text: String, parameter: String) throws(QueryError) -> String {
        guard text.hasPrefix("\"") else { return text }
        let (name, rest) = try leadingQuoted(Substring(text), parameter: parameter)
        guard rest.isEmpty else { throw QueryError(parameter: parameter, message: "has text after a closing quote") }
        return name
    }
}
