import Foundation
import Settlement
import TerminalCore

/// What the terminal saw or did, in domain values. The local API maps it to its `Event`
/// (docs/api.yaml) at the edge, masking the patient; metrics count it as an observer.
package struct TerminalEvent: Sendable {
    package enum Kind: String, Sendable, CaseIterable {
        case cardInserted = "card.inserted", cardRemoved = "card.removed", cardFailed = "card.failed"
        case codeScanned = "code.scanned", codeRefused = "code.refused", faceResult = "face.result"
        case identityResolved = "identity.resolved", checkinFailed = "checkin.failed"
        case settlementDone = "settlement.done", settlementFailed = "settlement.failed"
        /// A settled visit undone (2208). Not in the API's event list: metrics count it.
        case settlementReversed = "settlement.reversed"
        case deviceConnected = "device.connected", deviceDisconnected = "device.disconnected"
        case coreUp = "core.up", coreDown = "core.down"
    }

    /// How a settlement ended, for those who count outcomes.
    package enum SettlementResult: String, Sendable {
        case settled, reversed, inDoubt = "in-doubt", needsReview = "needs-review", failed
    }

    package var kind: Kind
    package var time: Date
    /// The card reader it happened at (its PC/SC name).
    package var reader: String?
    /// The device path (a scanner, the face terminal).
    package var device: String?
    package var credentialKind: Credential.Kind?
    /// An outcome or error code, e.g. FACE-NO-MATCH.
    package var code: String?
    /// What to tell the patient or the doctor.
    package var message: String?
    package var checkinId: String?
    /// In the clear here; whoever shows it outside masks it.
    package var patient: CheckedInPatient?
    package var visitId: Int64?
    package var split: SettlementSplit?
    package var settlementResult: SettlementResult?
    /// How long the settlement took, from the first message to the answer.
    package var duration: Duration?

    package init(_ kind: Kind, time: Date = Date()) {
        self.kind = kind
        self.time = time
    }

    /// The device a credential came from: a reader's name or a device path.
    package mutating func source(_ source: String) {
        if source == "keyboard" { return }
        if source.hasPrefix("/") { device = source } else { reader = source }
    }
}
