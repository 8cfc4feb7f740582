/// Reads the SSSE application's records the way the ministry's card-reading procedure does:
/// by record identifier (READ RECORD P1 = tag, P2 = 00, Le = the TLV's nominal size), and by
/// record number (P2 = 04) when a card does not take identifiers. Once a card has refused
/// identifiers, the rest of the read goes by number.
struct SSSERecords<Transport: APDUTransport> {
    enum Outcome {
        case value([UInt8])
        /// The card has no such record (an optional element, e.g. 4E on a second-generation card).
        case missing
        /// 6982: the record is there but locked until RKSSSE authentication.
        case locked
    }

    let transport: Transport
    let profile: SSSEProfile
    private var byIdentifier = true
    private(set) var selected: String?

    init(transport: Transport, profile: SSSEProfile) {
        self.transport = transport
        self.profile = profile
    }

    /// FCI of the SSSE application (its proprietary data carries the algorithm tag 9F0C).
    mutating func selectApplication() async throws(CardReadError) -> [UInt8] {
        let command = CommandAPDU.selectByName(profile.application.aidBytes)
        let response = try await transport.send(command)
        selected = nil
        switch response.sw.value {
        case 0x9000: return response.data
        // Not found / not supported: the card has no SSSE application (bank card, ID card, …).
        case 0x6A82, 0x6A81, 0x6A86, 0x6D00, 0x6E00, 0x6B00:
            throw .notSocialSecurityCard(response.sw)
        default:
            throw .unexpectedStatus(command: "SELECT \(profile.application.name)", sw: response.sw)
        }
    }

    /// Selects an EF; false when the file itself is locked (6982).
    mutating func select(_ file: SSSEProfile.File) async throws(CardReadError) -> Bool {
        if selected == file.name { return true }
        var last = StatusWord.fileNotFound
        for p1 in file.selectP1Bytes {
            let response = try await transport.send(.selectFile(file.fidBytes, p1: p1))
            switch response.sw.value {
            case 0x9000:
                selected = file.name
                return true
            // This card wants the other addressing mode: try the next P1.
            case 0x6A86, 0x6B00, 0x6A81, 0x6A82: last = response.sw
            case 0x6982: return false
            default: throw .unexpectedStatus(command: "SELECT \(file.name)", sw: response.sw)
            }
        }
        throw .unexpectedStatus(command: "SELECT \(file.name)", sw: last)
    }

    /// Forgets the current selection (after authentication, which may reset it on some cards).
    mutating func forgetSelection() { selected = nil }

    /// One element of the selected file, its TLV checked.
    mutating func read(_ element: SSSEProfile.Element, file: SSSEProfile.File) async throws(CardReadError) -> Outcome {
        if byIdentifier {
            let response = try await transport.send(.readRecord(identifier: element.tag, le: element.length + 2))
            switch response.sw.value {
            case 0x9000:
                return .value(try value(of: response, element))
            case 0x6982:
                return .locked
            // Identifiers not supported (P1/P2 refused): by number from now on.
            case 0x6A86, 0x6B00, 0x6A81, 0x6D00:
                byIdentifier = false
            // No record with this identifier: confirm by number, since some cards keep an
            // element at its usual position without answering to its identifier.
            case 0x6A83:
                break
            default:
                throw .unexpectedStatus(command: "READ RECORD \(file.name)/\(Hex.string([element.tag]))", sw: response.sw)
            }
        }
        let response = try await transport.send(.readRecord(element.record))
        switch response.sw.value {
        case 0x9000: return .value(try value(of: response, element))
        case 0x6982: return .locked
        case 0x6A83: return .missing
        default: throw .unexpectedStatus(command: "READ RECORD \(file.name)/\(element.record)", sw: response.sw)
        }
    }

    private func value(of response: ResponseAPDU, _ element: SSSEProfile.Element) throws(CardReadError) -> [UInt8] {
        do {
            return try TLV.value(in: response.data, tag: element.tag)
        } catch {
            throw .malformedRecord(element: element.label, detail: error.detail)
        }
    }
}
