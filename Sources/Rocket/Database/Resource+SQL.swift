import ChangeFeed
import Postgres

extension Resource {
    /// `"schema"."table"`.
    var qualifiedName: String {
        PostgresIdentifier.quoteQualified(schema: schema, name: table)
    }

    /// The SQL that prints a row's key exactly as the capture trigger does
    /// (`rocket.key_expression`): one column's text, or several, each with
    /// `%` and `,` percent-encoded, joined by `,`.
    func keyExpression(alias: String) -> String {
        if keyColumns.count == 1 {
            return "\(alias).\(PostgresIdentifier.quote(keyColumns[0]))::text"
        }
        return keyColumns.map { column in
            "replace(replace(\(alias).\(PostgresIdentifier.quote(column))::text, '%', '%25'), ',', '%2C')"
        }.joined(separator: " || ',' || ")
    }

    /// Splits a key (as in a URL, already percent-decoded once) into its
    /// columns' text forms; nil when the number of parts is wrong.
    func keyParts(_ key: String) -> [String]? {
        if keyColumns.count == 1 { return [key] }
        let parts = key.split(separator: ",", omittingEmptySubsequences: false).map { part in
            String(part).replacingPercentEscapes(["%2C": ",", "%2c": ",", "%25": "%"])
        }
        return parts.count == keyColumns.count ? parts : nil
    }

    /// `"a" = $1 AND "b" = $2`, parameters starting at `first`.
    func keyCondition(alias: String, firstParameter first: Int) -> String {
        keyColumns.enumerated().map { index, column in
            "\(alias).\(PostgresIdentifier.quote(column)) = $\(first + index)"
        }.joined(separator: " AND ")
    }
}

extension String {
    /// Replaces the given escapes, scanning once (so `%252C` becomes `%2C`).
    func replacingPercentEscapes(_ table: [String: String]) -> String {
        guard contains("%") else { return self }
        var result = ""
        var index = startIndex
        while index < endIndex {
            if self[index] == "%", let end = self.index(index, offsetBy: 3, limitedBy: endIndex),
               let replacement = table[String(self[index..<end])] {
                result += replacement
                index = end
            } else {
                result.append(self[index])
                index = self.index(after: index)
            }
        }
        return result
    }
}
