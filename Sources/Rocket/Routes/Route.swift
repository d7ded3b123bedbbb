import ChangeFeed

/// Where a request goes, from its path alone.
enum Route: Equatable {
    case index
    case health
    case ready
    case metrics
    case collection(resource: String)
    case record(resource: String, key: String)

    /// `/{resource}` or `/{resource}/{key}`, each segment percent-decoded
    /// once (so `%2F` in a name or key is a `/` in it, not a separator).
    init?(path: Substring) {
        guard path.hasPrefix("/") else { return nil }
        let segments = path.dropFirst().split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard let first = segments.first.flatMap({ PercentDecoding.decode($0) }) else { return nil }
        switch segments.count {
        case 1:
            switch first {
            case "": self = .index
            case "health": self = .health
            case "ready": self = .ready
            case "metrics": self = .metrics
            default: self = .collection(resource: first)
            }
        case 2:
            guard let key = PercentDecoding.decode(segments[1]), !first.isEmpty else { return nil }
            self = .record(resource: first, key: key)
        default:
            return nil
        }
    }
}
