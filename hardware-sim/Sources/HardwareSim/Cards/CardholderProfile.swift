import CardReaders
import Foundation

/// One simulated cardholder, from a JSON file in `hardware-sim/cards/`. `elements` holds
/// the card's data by the element keys of the SSSE profile, written as people read them:
/// dates `YYYY-MM-DD`, binary fields in hex, the name in plain Chinese (encoded to GBK).
package struct CardholderProfile: Sendable, Decodable, Hashable {
    package enum RecordLengthBehaviour: String, Sendable, Decodable, Hashable {
        /// Answers READ RECORD with the record whatever Le asks (a T=1 card).
        case exact
        /// Answers `6Cxx` unless Le is exactly the record length (a T=0 card).
        case wrongLength = "6C"
        /// Answers `61xx` and hands the record over on GET RESPONSE (another T=0 habit).
        case getResponse = "61"
    }

    package let description: String
    /// ATR in hex; the simulated social-security card ATR when absent.
    package let atr: String?
    package let elements: [String: String]
    /// When set, EF06 answers 6982 until VERIFY with this PIN (digits).
    package let ef06Pin: String?
    /// SELECT P1 values this card accepts for its EFs (default 00 and 02).
    package let selectP1: [String]?
    package let recordLength: RecordLengthBehaviour?
    /// Pad the GBK name to the profile length with `zero` (0x00, default) or `space`.
    package let namePadding: String?
    /// A 3.0 card whose issue/expiry records and personal file are locked until external
    /// authentication with RKSSSE: the algorithm it announces (`01` DES, `03` SM4).
    package let rkssse: String?
    /// A second-generation card without the name-extension record 4E.
    package let noNameExtension: Bool?
    /// False for a card that answers 6A86 to READ RECORD by identifier (P2 = 00).
    package let readByIdentifier: Bool?

    /// Stands in for a holder where the slot holds the PSAM.
    static let psamPlaceholder = CardholderProfile(
        description: "PSAM", atr: nil, elements: [:], ef06Pin: nil, selectP1: nil, recordLength: nil, namePadding: nil,
        rkssse: nil, noNameExtension: nil, readByIdentifier: nil)

    package static let defaultATR = "3B8C800143554E544F4E472D5353433118"
    package static let bankCardATR = "3B8C800143554E544F4E472D42414E4B6C"

    package static func load(path: String) throws -> CardholderProfile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(CardholderProfile.self, from: data)
    }

    package var atrBytes: [UInt8] { Hex.bytes(atr ?? Self.defaultATR) ?? [] }
}
