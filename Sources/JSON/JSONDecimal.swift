/// The normalised decimal form of a (grammar-valid) JSON number literal:
/// value = (negative ? -1 : 1) × 0.d₁d₂…dₙ × 10^exponent, with d₁ ≠ 0 and
/// dₙ ≠ 0. Zero has no digits, is never negative and has exponent 0.
///
/// Exponents beyond ±2⁵⁸ are clamped; numbers that differ only beyond that
/// range compare equal.
struct JSONDecimal: Hashable {
    var negative: Bool
    /// Significant digits as ASCII bytes.
    var digits: [UInt8]
    var exponent: Int

    init(_ text: String) {
        let limit = 1 << 58
        var negative = false
        var digits: [UInt8] = []
        var integerDigits = 0
        var explicitExponent = 0
        var seenPoint = false
        var iterator = text.utf8.makeIterator()
        loop: while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "-"):
                negative = true
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                var exponentNegative = false
                while let e = iterator.next() {
                    switch e {
                    case UInt8(ascii: "-"): exponentNegative = true
                    case UInt8(ascii: "+"): break
                    default:
                        if explicitExponent < limit {
                            explicitExponent = explicitExponent * 10 + Int(e &- UInt8(ascii: "0"))
                        }
                    }
                }
                if exponentNegative { explicitExponent = -explicitExponent }
                break loop
            default:
                if digits.isEmpty && byte == UInt8(ascii: "0") {
                    // Leading zero: shifts the point left when in the fraction.
                    if seenPoint { integerDigits -= 1 }
                    continue
                }
                digits.append(byte)
                if !seenPoint { integerDigits += 1 }
            }
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty {
            self.negative = false
            self.digits = []
            self.exponent = 0
        } else {
            self.negative = negative
            self.digits = digits
            self.exponent = integerDigits + max(-limit, min(limit, explicitExponent))
        }
    }

    /// -1, 0 or 1.
    func compare(_ other: JSONDecimal) -> Int {
        if negative != other.negative { return negative ? -1 : 1 }
        let magnitude = compareMagnitude(other)
        return negative ? -magnitude : magnitude
    }

    private func compareMagnitude(_ other: JSONDecimal) -> Int {
        if digits.isEmpty || other.digits.isEmpty {
            return digits.isEmpty ? (other.digits.isEmpty ? 0 : -1) : 1
        }
        if exponent != other.exponent { return exponent < other.exponent ? -1 : 1 }
        for (a, b) in zip(digits, other.digits) where a != b {
            return a < b ? -1 : 1
        }
        if digits.count == other.digits.count { return 0 }
        return digits.count < other.digits.count ? -1 : 1
    }
}
