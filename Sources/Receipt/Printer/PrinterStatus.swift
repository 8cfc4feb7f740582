/// What a printer answered to `DLE EOT n` (n 1, 2, 4): one byte each, bits 1 and 4 always
/// set and bits 0 and 7 clear (0x12 baseline). A byte that is not shaped so is not a status.
package struct PrinterStatus: Sendable, Equatable {
    /// n = 1, printer status: bit 3 offline.
    package var printer: UInt8?
    /// n = 2, offline cause: bit 2 cover open, bit 5 stopped by paper end, bit 6 error.
    package var offlineCause: UInt8?
    /// n = 4, paper sensor: bits 2–3 paper near end (0x0C), bits 5–6 paper end (0x60).
    package var paperSensor: UInt8?

    package init(printer: UInt8? = nil, offlineCause: UInt8? = nil, paperSensor: UInt8? = nil) {
        self.printer = printer
        self.offlineCause = offlineCause
        self.paperSensor = paperSensor
    }

    /// Whether `byte` has the fixed bits of a status answer.
    package static func isStatus(_ byte: UInt8) -> Bool { byte & 0x93 == 0x12 }

    /// Paper end (n=4 bits 5–6, or n=2 bit 5).
    package var paperEnd: Bool { (paperSensor.map { $0 & 0x60 != 0 } ?? false) || (offlineCause.map { $0 & 0x20 != 0 } ?? false) }
    /// Paper near its end (n=4 bits 2–3): still prints.
    package var paperNearEnd: Bool { paperSensor.map { $0 & 0x0C != 0 } ?? false }
    package var coverOpen: Bool { offlineCause.map { $0 & 0x04 != 0 } ?? false }
    package var offline: Bool { printer.map { $0 & 0x08 != 0 } ?? false }
    package var error: Bool { offlineCause.map { $0 & 0x40 != 0 } ?? false }

    /// What stops printing, the most specific first (paper end and an open cover also put
    /// the printer offline); nil when it can print.
    package var problem: ReceiptError? {
        if paperEnd { return .noPaper }
        if coverOpen { return .coverOpen }
        if error { return .offline("it reports an error: switch it off and on") }
        if offline { return .offline("it reports itself offline") }
        return nil
    }

    /// For people: "ready", "paper near end", or the problem.
    package var summary: String {
        if let problem { return problem.code }
        return paperNearEnd ? "ready (paper near end)" : "ready"
    }
}
