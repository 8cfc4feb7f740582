import TerminalCore

/// Everything that can go wrong between "a card is in the reader" and "here is the
/// cardholder". Each case says what a person at the terminal should do.
package enum CardReadError: TerminalError, Hashable {
    /// pcscd is not running or not reachable.
    case serviceUnavailable
    /// No PC/SC reader is connected at all.
    case noReader
    /// The reader asked for by name is not connected.
    case readerNotFound(String)
    /// Waited, but no card was inserted.
    case noCard
    /// The card was taken out (or the reader reset it) while it was being read.
    case cardRemoved
    /// The card does not answer (dirty contacts, inserted the wrong way, broken chip).
    case cardMute
    /// The reader went away in the middle of the read.
    case readerRemoved
    /// Another program holds the card exclusively.
    case cardBusy
    /// The card has no social-security application (a bank card, an ID card, …).
    case notSocialSecurityCard(StatusWord)
    /// The card wants a PIN or PSAM authentication before it shows this file.
    case authenticationRequired(file: String)
    /// RKSSSE: the PSAM is not in its reader (or the reader is not connected).
    case psamUnavailable(reader: String)
    /// RKSSSE: the PSAM refused a command (wrong card in the SAM slot, key not present, locked).
    case psamRefused(command: String, sw: StatusWord)
    /// RKSSSE: the city's key service did not answer in time or could not be reached.
    case keyServiceUnreachable(detail: String)
    /// RKSSSE: the key service answered with an error or an answer that cannot be used.
    case keyServiceRefused(detail: String)
    /// RKSSSE: the card's internal-authentication answer does not match the key holder's.
    case internalAuthenticationMismatch
    /// RKSSSE: the card refused the terminal's external-authentication cryptogram.
    case externalAuthenticationRefused(StatusWord)
    /// A status word the SSSE application does not use at this step.
    case unexpectedStatus(command: String, sw: StatusWord)
    /// The reply was shorter than a status word.
    case malformedResponse(command: String, length: Int)
    /// A record's TLV is broken: wrong tag, or a length that runs past the data.
    case malformedRecord(element: String, detail: String)
    /// A record decoded, but its content is impossible (bad BCD date, check digit, GBK).
    case invalidData(element: String, detail: String)
    /// Any other PC/SC failure, with pcsc-lite's own code and text.
    case pcsc(PCSCStatus)

    package var code: String {
        switch self {
        case .serviceUnavailable: "CARD-PCSCD-DOWN"
        case .noReader: "CARD-NO-READER"
        case .readerNotFound: "CARD-READER-NOT-FOUND"
        case .noCard: "CARD-NO-CARD"
        case .cardRemoved: "CARD-PULLED"
        case .cardMute: "CARD-MUTE"
        case .readerRemoved: "CARD-READER-GONE"
        case .cardBusy: "CARD-BUSY"
        case .notSocialSecurityCard: "CARD-NOT-SSSE"
        case .authenticationRequired: "CARD-AUTH-REQUIRED"
        case .psamUnavailable: "CARD-PSAM-MISSING"
        case .psamRefused: "CARD-PSAM-REFUSED"
        case .keyServiceUnreachable: "CARD-KEY-SERVICE-DOWN"
        case .keyServiceRefused: "CARD-KEY-SERVICE-REFUSED"
        case .internalAuthenticationMismatch: "CARD-AUTH-MISMATCH"
        case .externalAuthenticationRefused: "CARD-KEY-REFUSED"
        case .unexpectedStatus: "CARD-BAD-SW"
        case .malformedResponse: "CARD-BAD-RESPONSE"
        case .malformedRecord: "CARD-BAD-TLV"
        case .invalidData: "CARD-BAD-DATA"
        case .pcsc: "CARD-PCSC-ERROR"
        }
    }

    package var message: String {
        switch self {
        case .serviceUnavailable:
            "The smart-card service (pcscd) is not running. Start it (systemctl start pcscd.socket) or run `cuntong doctor`."
        case .noReader:
            "No card reader is connected. Plug the reader in and check its cable."
        case .readerNotFound(let name):
            "The card reader \"\(name)\" is not connected. Run `cuntong readers` to see the connected ones."
        case .noCard:
            "No card was inserted. Insert the social-security card, chip first and facing up."
        case .cardRemoved:
            "The card was taken out while it was being read. Insert it again and leave it in until the read finishes."
        case .cardMute:
            "The card does not answer. Take it out, check that the chip is clean and faces the right way, and insert it again."
        case .readerRemoved:
            "The card reader was disconnected during the read. Plug it back in and insert the card again."
        case .cardBusy:
            "Another program is using the card. Close it, or take the card out and insert it again."
        case .notSocialSecurityCard(let sw):
            "This is not a social-security card (it has no social-security application; card answered \(sw)). Ask for the patient's 社会保障卡."
        case .authenticationRequired(let file):
            (file == "SSSE" ? "This card's protected records (dates, personal file)" : "This card's \(file) data")
                + " stay locked until the terminal authenticates with the RKSSSE key (PSAM or key service), and none is configured ([card] auth). The card number still identifies the patient through the core."
        case .psamUnavailable(let reader):
            "The PSAM (key card) is not in the SAM slot \"\(reader)\". Check that it is seated, and that [card] psam_reader names the slot (`cuntong readers`)."
        case .psamRefused(let command, let sw):
            "The PSAM refused \(command) (\(sw): \(sw.meaning)). Check that the PSAM in the SAM slot is the city's social-security PSAM and that [card] psam_* settings match it."
        case .keyServiceUnreachable(let detail):
            "The city's card key service did not answer (\(detail)). Check the network and [card] key_service_url; the card number still identifies the patient through the core."
        case .keyServiceRefused(let detail):
            "The city's card key service refused the request (\(detail)). Check the credentials file and [card] key_service_url."
        case .internalAuthenticationMismatch:
            "The card's answer to internal authentication does not match the key holder's: the card may not be genuine, or the PSAM/key service belongs to another region. Only the card number was used."
        case .externalAuthenticationRefused(let sw):
            "The card refused the terminal's key (\(sw): \(sw.meaning)). The PSAM or key service may belong to another region; only the card number was used."
        case .unexpectedStatus(let command, let sw):
            "The card gave an unexpected answer (\(sw): \(sw.meaning)) to command \(command). Insert it again; if it keeps happening the card may be faulty."
        case .malformedResponse(let command, let length):
            "The card's answer to \(command) was cut short (\(length) bytes). Insert it again; if it keeps happening the card may be faulty."
        case .malformedRecord(let element, let detail):
            "The card's \(element) record is damaged (\(detail)). The card may be faulty; the patient should have it checked at the social-security office."
        case .invalidData(let element, let detail):
            "The card's \(element) is not valid (\(detail)). The card may be faulty; the patient should have it checked at the social-security office."
        case .pcsc(let status):
            "The card reader reported an error: \(status). Take the card out, insert it again; if it persists, run `cuntong doctor`."
        }
    }
}
