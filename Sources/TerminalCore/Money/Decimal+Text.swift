import Foundation

extension Decimal {
    /// Plain positional text (`12.34`, never `1.234e1`), for handing to `Money(yuan:)`.
    package var plainText: String {
        var value = self
        return NSDecimalString(&value, Locale(identifier: "en_US_POSIX"))
    }
}
