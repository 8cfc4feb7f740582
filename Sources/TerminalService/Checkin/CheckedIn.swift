import Foundation
import Settlement
import TerminalCore

/// A patient the core confirmed, kept for the visit that follows (4 hours at most).
public struct CheckedIn: Sendable {
    public let id: String
    public let patient: CheckedInPatient
    public let credentialKind: Credential.Kind
    public let source: String
    public let at: Date
}
