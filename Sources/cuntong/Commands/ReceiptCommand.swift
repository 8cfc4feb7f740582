import ArgumentParser
import Catalogue
import Config
import Foundation
import Receipt
import Settlement
import TerminalCore

struct ReceiptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt",
        abstract: "Show or print the settlement sheet (结算单) of a settled visit.",
        discussion: """
            The sheet is made from the settlement journal alone (the core's 2207 answer, the
            visit's fee rows): nothing is asked of the core, and printing it again is always
            safe. Item names come from the price list ([api] catalogue) and the downloaded
            catalogue; an item neither knows is shown by its insurance code. The patient's
            name is masked (张*) unless [printer] patient_name = "full"; once the journal has
            erased a day's personal data, the sheet prints without the person and says so.

            Where it goes:
              (default)           text on stdout, laid out as on the paper
              --output FILE       the chosen --format written to FILE
              --print             ESC/POS to the printer of [printer] device
              --printer DEVICE    ESC/POS to DEVICE: /dev/usb/lp0, /dev/ttyUSB0, tcp:HOST:9100

            Width: --width 58 (32 columns) or 80 (48 columns); default [printer] width, else 58.
            Before printing, a printer that answers DLE EOT is asked its status: out of paper
            (PRINTER-NO-PAPER), cover open (PRINTER-COVER-OPEN) or offline (PRINTER-OFFLINE)
            stop the print; a printer that stops taking bytes ends it with PRINTER-TIMEOUT.

            Examples:
              cuntong receipt S000000000001                      the sheet on the screen
              cuntong receipt S000000000001 --print              print it on the clinic's printer
              cuntong receipt S000000000001 --printer tcp:192.168.1.50:9100 --width 80
              cuntong receipt S000000000001 --format html --output sheet.html   A4, for a browser
              cuntong receipt S000000000001 --format escpos --output sheet.bin  the printer's bytes

            Exit status 0 when shown or printed; 1 with the error's code (RECEIPT-NOT-FOUND,
            PRINTER-NO-PAPER …) otherwise.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, html, escpos
    }

    @OptionGroup var config: ConfigOption

    @Argument(help: "The settlement id (setl_id) on the settlement screen or in `cuntong journal list`.")
    var setlId: String

    @Option(help: "text, html (A4) or escpos (printer bytes). Printing is always escpos.")
    var format: Format?

    @Option(help: "Paper width in mm: 58 or 80.")
    var width: Int?

    @Option(help: "Write the sheet to this file instead of stdout.")
    var output: String?

    @Flag(help: "Print on the printer of [printer] device.")
    var print = false

    @Option(help: "Print on this printer instead: a device path or tcp:HOST:PORT.")
    var printer: String?

    func validate() throws {
        if let width, PaperWidth(millimetres: width) == nil { throw ValidationError("--width must be 58 or 80") }
        let printing = print || printer != nil
        if printing, output != nil { throw ValidationError("--output and printing exclude each other: choose one") }
        if printing, let format, format != .escpos { throw ValidationError("a printer takes ESC/POS: leave out --format \(format.rawValue)") }
    }

    func run() async throws {
        do {
            let terminal = try TerminalConfig.load(path: config.path)
            let settings = try terminal.coreSettings()
            let journal = try Journal(directory: settings.stateDirectory, keyFile: terminal.storage?.key_file)
            let paper = PaperWidth(millimetres: width ?? terminal.printer?.width ?? 58) ?? .mm58
            let nameDisplay: PatientNameDisplay = terminal.printer?.patient_name == "full" ? .full : .masked
            let sheet = try await SettlementSheet.build(journal: journal, setlId: setlId, descriptions: Self.descriptions(terminal),
                                                        patientName: nameDisplay)
            if print || printer != nil {
                guard let device = printer ?? terminal.printer?.device, !device.isEmpty else { throw ReceiptError.noPrinter }
                let outcome = try await ReceiptPrinter(device: device).print(SheetESCPOS.render(sheet, paper: paper))
                let status = outcome.status.map { "printer \($0.summary)" } ?? "the printer does not report its status"
                Output.line("Printed the sheet of \(sheet.header.setlId) on \(device) (\(paper.rawValue) mm, \(outcome.bytes) bytes; \(status)).")
                return
            }
            let bytes: [UInt8]
            switch format ?? .text {
            case .text: bytes = Array(SheetText.render(sheet, paper: paper).utf8)
            case .html: bytes = Array(SheetHTML.render(sheet).utf8)
            case .escpos: bytes = SheetESCPOS.render(sheet, paper: paper)
            }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                    throw ReceiptError.output("\(output) cannot be written")
                }
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        } catch {
            throw Output.fail(any: error)
        }
    }

    /// The price list and the downloaded catalogue, where the terminal has them.
    static func descriptions(_ terminal: TerminalConfig) -> FeeDescriptions {
        let path = terminal.cataloguePath()
        let store = CatalogueStore.exists(at: path) ? try? CatalogueStore(path: path) : nil
        return FeeDescriptions(store: store, priceList: terminal.api?.catalogue.map(FeeDescriptions.priceList(path:)) ?? [])
    }
}
