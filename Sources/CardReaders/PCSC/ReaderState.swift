#if canImport(Glibc)
import Glibc
#endif
import CPCSCLite

/// What pcscd says about one reader at one moment.
package struct ReaderState: Sendable, Hashable {
    package let reader: String
    /// `SCARD_STATE_*` bits of the event state.
    package let flags: UInt
    package let atr: [UInt8]

    package init(reader: String, flags: UInt, atr: [UInt8]) {
        self.reader = reader
        self.flags = flags
        self.atr = atr
    }

    package var cardPresent: Bool { flags & UInt(SCARD_STATE_PRESENT) != 0 }
    /// pcscd says the slot is empty. Not the same as `!cardPresent`: while pcscd is still
    /// finding out (a failed reset, say), neither flag is set.
    package var cardAbsent: Bool { flags & UInt(SCARD_STATE_EMPTY) != 0 }
    package var cardMute: Bool { flags & UInt(SCARD_STATE_MUTE) != 0 }
    package var inUse: Bool { flags & UInt(SCARD_STATE_INUSE) != 0 }
    package var exclusive: Bool { flags & UInt(SCARD_STATE_EXCLUSIVE) != 0 }
    package var unavailable: Bool {
        flags & UInt(SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE) != 0
    }
    package var isVirtual: Bool { ReaderNames.isVirtual(reader) }
}

package enum ReaderNames {
    /// The name pcsc-lite gives to the readers of the vsmartcard vpcd driver.
    package static let virtualPrefix = "Virtual PCD"
    /// The pseudo-reader whose state changes when a reader is plugged in or out.
    package static let pnpNotification = "\\\\?PnP?\\Notification"

    /// A vpcd reader takes a "card" from anyone on the network: only for simulators.
    package static func isVirtual(_ name: String) -> Bool { name.hasPrefix(virtualPrefix) }
}

/// One entry of an `SCardGetStatusChange` call, kept between calls.
struct StatusEntry {
    var reader: String
    var currentState: UInt
    var eventState: UInt = 0
    var atr: [UInt8] = []

    var snapshot: ReaderState { ReaderState(reader: reader, flags: eventState, atr: atr) }
}

/// Blocking `SCardGetStatusChange` over `entries`, copying event states and ATRs back.
/// Call only from a thread that may block.
func getStatusChange(context: SCARDCONTEXT, entries: inout [StatusEntry], timeout: UInt) -> PCSCStatus {
    let names = entries.map { strdup($0.reader) }
    defer { names.forEach { free($0) } }
    var states = entries.enumerated().map { index, entry -> SCARD_READERSTATE in
        var s = SCARD_READERSTATE()
        s.szReader = UnsafePointer(names[index])
        s.dwCurrentState = DWORD(entry.currentState)
        return s
    }
    let rv = SCardGetStatusChange(context, DWORD(timeout), &states, DWORD(states.count))
    guard rv == 0 else { return PCSCStatus(Int(rv)) }
    for index in entries.indices {
        let s = states[index]
        entries[index].eventState = UInt(s.dwEventState)
        let count = min(Int(s.cbAtr), Int(MAX_ATR_SIZE))
        entries[index].atr = withUnsafeBytes(of: s.rgbAtr) { Array($0.prefix(count)) }
    }
    return .success
}

/// Blocking `SCardListReaders`; an empty list when pcscd has no readers.
func listReaders(context: SCARDCONTEXT) throws(PCSCStatus) -> [String] {
    var length: DWORD = 0
    var rv = SCardListReaders(context, nil, nil, &length)
    if rv == LONG(PCSCStatus.noReadersAvailable.rawValue) { return [] }
    try check(rv)
    var buffer = [CChar](repeating: 0, count: Int(length))
    rv = SCardListReaders(context, nil, &buffer, &length)
    if rv == LONG(PCSCStatus.noReadersAvailable.rawValue) { return [] }
    try check(rv)
    // A multi-string: names separated by NUL, ended by an empty one.
    return buffer.split(separator: 0, omittingEmptySubsequences: true).map {
        String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
