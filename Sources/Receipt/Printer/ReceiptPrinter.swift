import BlockingIO
import Foundation
import Settlement

/// A receipt printer (`[printer] device`): usblp, a tty, or a raw TCP port. Each print opens
/// it, asks its status where it answers `DLE EOT`, writes the sheet and closes it, all on a
/// thread of its own (`DeviceThread.run`) with a deadline on every wait: a printer that is
/// out of paper, open, offline or stops taking bytes ends the print with a `ReceiptError`,
/// never a hang. Printing again is always safe: the sheet is rebuilt from the journal.
package struct ReceiptPrinter: Sendable {
    package struct Timeouts: Sendable {
        /// For a network printer to accept the connection.
        package var connect: Duration
        /// For each status answer; a printer that does not answer the first is printed to
        /// anyway (not every printer or interface answers).
        package var status: Duration
        /// The longest the printer may take no byte while printing (a 58 mm printer prints a
        /// sheet in a few seconds; its buffer takes what it has room for).
        package var stall: Duration

        package init(connect: Duration = .seconds(3), status: Duration = .milliseconds(500), stall: Duration = .seconds(10)) {
            self.connect = connect
            self.status = status
            self.stall = stall
        }
    }

    /// What a print did.
    package struct Outcome: Sendable, Equatable {
        package var bytes: Int
        /// The printer's status before printing; nil when it does not answer status.
        package var status: PrinterStatus?
    }

    package let address: PrinterAddress
    package let timeouts: Timeouts

    package init(device: String, timeouts: Timeouts = Timeouts()) throws(ReceiptError) {
        address = try PrinterAddress(parsing: device)
        self.timeouts = timeouts
    }

    /// Sends `bytes` (an ESC/POS sheet) after checking the printer's status.
    package func print(_ bytes: [UInt8]) async throws(ReceiptError) -> Outcome {
        let (address, timeouts) = (self.address, self.timeouts)
        let result: Result<Outcome, ReceiptError> = await DeviceThread.run("receipt-printer") {
            do throws(ReceiptError) {
                return .success(try Self.printBlocking(bytes, address: address, timeouts: timeouts))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The sheet of `setlId`, built from the journal and printed: what the daemon's
    /// automatic print and the CLI's `--print` do.
    @discardableResult
    package func print(journal: Journal, setlId: String, descriptions: FeeDescriptions = .none,
                       patientName: PatientNameDisplay = .masked, paper: PaperWidth = .mm58) async throws(ReceiptError) -> Outcome {
        let sheet = try await SettlementSheet.build(journal: journal, setlId: setlId, descriptions: descriptions,
                                                    patientName: patientName)
        return try await print(SheetESCPOS.render(sheet, paper: paper))
    }

    /// The printer's status alone; nil when it does not answer.
    package func status() async throws(ReceiptError) -> PrinterStatus? {
        let (address, timeouts) = (self.address, self.timeouts)
        let result: Result<PrinterStatus?, ReceiptError> = await DeviceThread.run("receipt-printer") {
            do throws(ReceiptError) {
                let connection = try PrinterConnection.open(address, connectTimeout: timeouts.connect)
                return .success(Self.status(connection, timeout: timeouts.status))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func printBlocking(_ bytes: [UInt8], address: PrinterAddress, timeouts: Timeouts) throws(ReceiptError) -> Outcome {
        let connection = try PrinterConnection.open(address, connectTimeout: timeouts.connect)
        let before = status(connection, timeout: timeouts.status)
        if let problem = before?.problem { throw problem }
        do {
            try connection.write(bytes, stall: timeouts.stall)
        } catch {
            switch error {
            case .stalled(let written):
                // Why it stopped, if it still says: paper out or cover opened mid-sheet.
                if before != nil, let problem = status(connection, timeout: timeouts.status)?.problem { throw problem }
                throw .timeout(written: written, total: bytes.count)
            case .gone(let why):
                throw .offline("it went away while printing: \(why)")
            case .failed(let why):
                throw .writeFailed(why)
            }
        }
        return Outcome(bytes: bytes.count, status: before)
    }

    /// `DLE EOT` 1, 2 and 4; nil when the printer does not answer the first.
    static func status(_ connection: PrinterConnection, timeout: Duration) -> PrinterStatus? {
        guard let printer = connection.status(1, timeout: timeout) else { return nil }
        return PrinterStatus(printer: printer, offlineCause: connection.status(2, timeout: timeout),
                             paperSensor: connection.status(4, timeout: timeout))
    }
}
