/// Every error the terminal shows a person conforms to this: a message in plain words
/// that the village doctor or technician can act on, and a stable code for logs and scripts.
package protocol TerminalError: Error, CustomStringConvertible, Sendable {
    /// Stable, grep-able identifier, e.g. `CARD-NOT-SSSE`.
    var code: String { get }
    /// What happened and what to do, in plain words. Never carries unmasked personal data.
    var message: String { get }
}

extension TerminalError {
    package var description: String { "\(message) [\(code)]" }
}

package extension Error {
    /// The code and message of a TerminalError, or a generic one.
    var code: String { (self as? any TerminalError)?.code ?? "INTERNAL" }
    var message: String { (self as? any TerminalError)?.message ?? "Unexpected error: \(self)" }
}
