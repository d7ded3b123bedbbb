/// A PostgreSQL `pg_snapshot` (`xmin:xmax:xip,…`): which transactions had
/// committed when it was taken.
public struct Snapshot: Sendable, Hashable, CustomStringConvertible {
    public let xmin: UInt64
    public let xmax: UInt64
    /// In progress when taken, sorted.
    public let inProgress: [UInt64]

    public init(xmin: UInt64, xmax: UInt64, inProgress: [UInt64]) {
        self.xmin = xmin
        self.xmax = xmax
        self.inProgress = inProgress.sorted()
    }

    /// Parses PostgreSQL's text form, `xmin:xmax:xip1,xip2`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]), xmin <= xmax else {
            return nil
        }
        var xip: [UInt64] = []
        if !parts[2].isEmpty {
            for item in parts[2].split(separator: ",", omittingEmptySubsequences: false) {
                guard let txid = UInt64(item), txid >= xmin, txid < xmax else { return nil }
                xip.append(txid)
            }
        }
        self.init(xmin: xmin, xmax: xmax, inProgress: xip)
    }

    /// Whether a committed transaction's effects are visible in this
    /// snapshot (`pg_visible_in_snapshot`).
    public func isVisible(_ txid: UInt64) -> Bool {
        if txid < xmin { return true }
        if txid >= xmax { return false }
        return !Self.contains(inProgress, txid)
    }

    /// True when every transaction visible in `other` is visible here too,
    /// so filtering by `other` can stop.
    public func covers(_ other: Snapshot) -> Bool {
        xmin >= other.xmax
    }

    public var description: String {
        "\(xmin):\(xmax):" + inProgress.map(String.init).joined(separator: ",")
    }

    private static func contains(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }
}
