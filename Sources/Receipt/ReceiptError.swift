import Settlement
import TerminalCore

/// What can stop a settlement sheet, in words a village doctor can act on. Nothing is lost
/// by any of them: the sheet is rebuilt from the journal, so printing it again is safe.
package enum ReceiptError: TerminalError, Equatable {
    /// No settled visit with this settlement id in the journal.
    case notFound(setlId: String)
    /// The visit is there but its 2207 answer is missing or unreadable (settled-needs-review).
    case answerUnreadable(setlId: String)
    /// The journal could not be read.
    case journal(String)
    /// No printer given and none configured.
    case noPrinter
    /// The printer's name is not a device path or `tcp:HOST:PORT`.
    case badDevice(String)
    /// The device file does not exist (unplugged, or another name).
    case printerNotFound(String)
    /// The device exists but this user may not write to it.
    case printerNoAccess(String)
    /// A network printer that does not answer its address.
    case printerUnreachable(String)
    /// The printer reports paper end.
    case noPaper
    /// The printer reports its cover open.
    case coverOpen
    /// The printer reports itself offline, or went away while printing.
    case offline(String)
    /// The printer stopped taking bytes and did not say why.
    case timeout(written: Int, total: Int)
    /// Another failure writing to the printer.
    case writeFailed(String)
    /// The sheet could not be written to the output file.
    case output(String)

    package var code: String {
        switch self {
        case .notFound: "RECEIPT-NOT-FOUND"
        case .answerUnreadable: "RECEIPT-ANSWER-UNREADABLE"
        case .journal: "RECEIPT-JOURNAL"
        case .noPrinter: "PRINTER-NOT-CONFIGURED"
        case .badDevice: "PRINTER-BAD-DEVICE"
        case .printerNotFound: "PRINTER-NOT-FOUND"
        case .printerNoAccess: "PRINTER-NO-ACCESS"
        case .printerUnreachable: "PRINTER-UNREACHABLE"
        case .noPaper: "PRINTER-NO-PAPER"
        case .coverOpen: "PRINTER-COVER-OPEN"
        case .offline: "PRINTER-OFFLINE"
        case .timeout: "PRINTER-TIMEOUT"
        case .writeFailed: "PRINTER-WRITE-FAILED"
        case .output: "RECEIPT-OUTPUT"
        }
    }

    package var message: String {
        let again = "Nothing is lost: print the sheet again when it is fixed."
        switch self {
        case .notFound(let id):
            return "No settled visit with settlement id \(id) is in this terminal's journal. Check the number on the settlement screen (`cuntong journal list` shows the settled visits)."
        case .answerUnreadable(let id):
            return "Settlement \(id) was confirmed by the core but its answer cannot be read, so no sheet can be made from it. Ask the insurance office for the amounts (`cuntong journal list` shows the visit)."
        case .journal(let why):
            return "The settlement journal cannot be read: \(why)."
        case .noPrinter:
            return "No printer is set: give --printer DEVICE, or set device in the [printer] section of the configuration."
        case .badDevice(let d):
            return "\"\(d)\" is not a printer: give a device such as /dev/usb/lp0 or /dev/ttyUSB0, or tcp:HOST:9100 for a network printer."
        case .printerNotFound(let d):
            return "The printer \(d) is not there. Check that it is plugged in and switched on. \(again)"
        case .printerNoAccess(let d):
            return "This user may not use the printer \(d). Run as a member of the lp group (or ask the technician). \(again)"
        case .printerUnreachable(let d):
            return "The network printer \(d) does not answer. Check that it is switched on and its cable is in. \(again)"
        case .noPaper:
            return "The printer is out of paper. Put in a new roll. \(again)"
        case .coverOpen:
            return "The printer's cover is open. Close it. \(again)"
        case .offline(let why):
            return "The printer is not ready (\(why)). Check that it is switched on, has paper and its cover is closed. \(again)"
        case .timeout(let written, let total):
            return "The printer stopped taking the sheet (\(written) of \(total) bytes sent). Check its paper and cover, switch it off and on. \(again)"
        case .writeFailed(let why):
            return "Printing failed: \(why). \(again)"
        case .output(let why):
            return "The sheet cannot be written: \(why)."
        }
    }
}

extension ReceiptError {
    static func from(_ error: SettlementError) -> ReceiptError { .journal(error.message) }
}
