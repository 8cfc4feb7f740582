import Foundation

/// The printer simulator's control commands (one a line on its control socket).
package enum PrinterControl {
    package static let help = "commands: STATUS [\(PrinterStatus.allCases.map(\.rawValue).joined(separator: "|"))] | RECEIPTS | QUIT"

    /// Applies one command line. QUIT is answered here and acted on by the caller.
    package static func handle(_ line: String, printer: PrinterSimulator) -> String {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch (parts.first?.uppercased() ?? "", parts.count) {
        case ("STATUS", 1):
            return "OK \(printer.status.rawValue)" + (printer.stopped ? " (stopped after bytes)" : "")
        case ("STATUS", 2):
            guard let status = PrinterStatus(rawValue: parts[1].lowercased()) else { return "ERR unknown status \(parts[1]); \(help)" }
            printer.status = status
            return "OK status \(status.rawValue)"
        case ("RECEIPTS", 1):
            return "OK \(printer.receiptsWritten)"
        case ("QUIT", 1):
            return "OK bye"
        default:
            return "ERR \(help)"
        }
    }
}
