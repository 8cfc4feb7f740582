import Foundation
import Settlement
import TerminalCore

/// A patient the core confirmed, kept for the visit that follows (4 hours at most).
package struct CheckedIn: Sendable {
    package let id: String
    package let patient: CheckedInPatient
    package let credentialKind: Credential.Kind
    package let source: String
    package let at: Date
}
