/// The 18-character citizen identity number (公民身份号码, GB 11643), which is also the
/// social-security number (社会保障号码) on the card.
///
/// Layout: 6-digit region, 8-digit birth date, 3-digit sequence (odd = male), and an
/// ISO 7064 MOD 11-2 check character (`0`–`9` or `X`).
package struct NationalIDNumber: Sendable, Hashable, CustomStringConvertible {
    /// The full number, upper-case `X`. Personal data: print `masked` instead.
    package let value: String

    package enum Problem: Error, Sendable, Equatable {
        case wrongLength(Int)
        case notDigits
        case badBirthDate
        case checkDigitMismatch(expected: Character, found: Character)

        /// In plain words, without repeating the number.
        package var explanation: String {
            switch self {
            case .wrongLength(let n): "it has \(n) characters, not 18"
            case .notDigits: "only digits are allowed, and X as the last character"
            case .badBirthDate: "the birth date inside it (characters 7–14) is not a real date"
            case .checkDigitMismatch: "its last character does not match the others, so one of them is mistyped"
            }
        }
    }

    /// Validates length, characters, the embedded birth date and the check character.
    package static func validate(_ text: String) -> Result<NationalIDNumber, Problem> {
        let chars = Array(text.uppercased())
        guard chars.count == 18 else { return .failure(.wrongLength(chars.count)) }
        guard chars.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }),
            chars[17].isASCII && (chars[17].isNumber || chars[17] == "X")
        else { return .failure(.notDigits) }
        guard CalendarDate(String(chars[6..<14])) != nil else { return .failure(.badBirthDate) }
        let expected = checkCharacter(for: String(chars.prefix(17)))
        guard expected == chars[17] else {
            return .failure(.checkDigitMismatch(expected: expected, found: chars[17]))
        }
        return .success(NationalIDNumber(value: String(chars)))
    }

    package init?(_ text: String) {
        guard case .success(let id) = Self.validate(text) else { return nil }
        self = id
    }

    private init(value: String) { self.value = value }

    /// ISO 7064 MOD 11-2 over the first 17 digits.
    package static func checkCharacter(for first17: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let digits = first17.compactMap { $0.wholeNumberValue }
        precondition(digits.count == 17, "checkCharacter needs 17 digits")
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    package var regionCode: String { String(value.prefix(6)) }

    package var birthDate: CalendarDate {
        CalendarDate(String(Array(value)[6..<14]))!
    }

    /// GB 11643: an odd sequence number is a man, even a woman. Codes as in GB/T 2261.1.
    package var genderCode: String {
        (Array(value)[16].wholeNumberValue ?? 0) % 2 == 1 ? "1" : "2"
    }

    package var masked: String { Masking.idNumber(value) }

    /// Masked, so that an accidental interpolation into a log line does not leak it.
    package var description: String { masked }
}
