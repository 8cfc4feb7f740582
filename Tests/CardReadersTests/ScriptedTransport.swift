import CardReaders
import Synchronization

/// An APDU-script stand-in for a card (after web-eid's pcsc-mock): expects the commands in
/// the script's order and answers each with its response. A command out of order is
/// recorded as a mismatch and answered 6D00; after the script, `failure` is thrown (a pulled
/// card) or 6D00 answered.
final class ScriptedTransport: APDUTransport {
    private struct State {
        var next = 0
        var sent: [String] = []
        var mismatches: [String] = []
    }
    private let script: [(command: [UInt8], response: [UInt8])]
    private let failure: CardReadError?
    private let state = Mutex(State())

    init(_ script: [(String, String)], thenFail failure: CardReadError? = nil) {
        self.script = script.map { (Hex.bytes($0.0)!, Hex.bytes($0.1)!) }
        self.failure = failure
    }

    var sent: [String] { state.withLock { $0.sent } }
    var mismatches: [String] { state.withLock { $0.mismatches } }
    var finished: Bool { state.withLock { $0.next == script.count } }

    func transmit(_ command: [UInt8]) async throws(CardReadError) -> [UInt8] {
        let result: Result<[UInt8], CardReadError> = state.withLock { state in
            state.sent.append(Hex.string(command))
            guard state.next < script.count else {
                if let failure { return .failure(failure) }
                state.mismatches.append("unexpected extra command \(Hex.string(command))")
                return .success([0x6D, 0x00])
            }
            let step = script[state.next]
            state.next += 1
            guard step.command == command else {
                state.mismatches.append("expected \(Hex.string(step.command)), got \(Hex.string(command))")
                return .success([0x6D, 0x00])
            }
            return .success(step.response)
        }
        return try result.get()
    }
}

/// The SSSE card of 欧阳淼, written out byte by byte from the card specification's table
/// (not produced by the simulator), as the ordered script a correct reader produces: each
/// record read by its identifier, `00 B2 <tag> 00 <length + 2>`, as the ministry's
/// card-reading procedure reads it.
enum SampleCard {
    static let selectSSSE = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    static let selectEF05 = "00A4000002EF05"
    static let selectEF06 = "00A4000002EF06"
    static func readTag(_ tag: Int, _ le: Int) -> String { "00B2" + Hex.string([UInt8(tag), 0x00, UInt8(le)]) }
    static func readRecord(_ record: Int) -> String { "00B2" + Hex.string([UInt8(record)]) + "0400" }

    /// (tag, Le, record number, TLV) per file, in record order.
    static let ef05: [(tag: Int, le: Int, record: Int, tlv: String)] = [
        (0x01, 0x12, 1, "0110" + "360400D156000005A1B2C3D4E5F60718"),
        (0x02, 0x03, 2, "0201" + "33"),                         // "3"
        (0x03, 0x06, 3, "0304" + "332E3030"),                   // "3.00"
        (0x04, 0x0E, 4, "040C" + "360400000000000000000001"),
        (0x05, 0x06, 5, "0504" + "20210416"),
        (0x06, 0x06, 6, "0604" + "20310416"),
        (0x07, 0x0B, 7, "0709" + "4A3336303438323331"),         // "J36048231"
    ]
    static let ef06: [(tag: Int, le: Int, record: Int, tlv: String)] = [
        (0x08, 0x14, 1, "0812" + "333630343032313938353033313231303658"),   // "36040219850312106X"
        (0x09, 0x20, 2, "091E" + "C5B7D1F4EDB5" + String(repeating: "00", count: 24)),  // 欧阳淼, GBK, 0-padded
        (0x4E, 0x16, 3, "4E14" + String(repeating: "00", count: 20)),  // no name extension: all zeros, as in the public trace
        (0x0A, 0x03, 4, "0A01" + "32"),                         // "2" female
        (0x0B, 0x03, 5, "0B01" + "01"),                         // 01 汉族
        (0x0C, 0x05, 6, "0C03" + "360402"),                     // 出生地 360402
        (0x0D, 0x06, 7, "0D04" + "19850312"),
    ]

    /// Steps of the full read; `override` replaces the answer to the element with that
    /// "file/tag" (e.g. "EF06/09"), and "SELECT EF06" the answer to that select.
    static func script(override: [String: String] = [:]) -> [(String, String)] {
        var steps: [(String, String)] = [(selectSSSE, "9000"), (selectEF05, "9000")]
        for e in ef05 {
            steps.append((readTag(e.tag, e.le), override["EF05/" + Hex.string([UInt8(e.tag)])] ?? e.tlv + "9000"))
        }
        steps.append((selectEF06, override["SELECT EF06"] ?? "9000"))
        for e in ef06 {
            steps.append((readTag(e.tag, e.le), override["EF06/" + Hex.string([UInt8(e.tag)])] ?? e.tlv + "9000"))
        }
        return steps
    }
}
