import ArgumentParser
import CardReaders

struct Readers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the PC/SC card readers, whether a card is in each, and its ATR.",
        discussion: "Readers named \"Virtual PCD\" belong to the simulator (vsmartcard vpcd) and are labelled virtual.")

    @Flag(help: "Print JSON: an array of {reader, virtual, cardPresent, mute, inUse, atr, protocols, atrDescription}.")
    var json = false

    struct Row: Codable {
        let reader: String
        let virtual: Bool
        let cardPresent: Bool
        let mute: Bool
        let inUse: Bool
        let atr: String?
        /// Protocols the ATR offers, e.g. [0, 1] for T=0 and T=1.
        let protocols: [Int]?
        let atrDescription: String?
    }

    func run() async throws {
        let rows: [Row]
        do {
            let context = try await PCSCContext.establish()
            let states = try await context.readerStates()
            await context.release()
            rows = states.map { state in
                Row(reader: state.reader, virtual: state.isVirtual, cardPresent: state.cardPresent,
                    mute: state.cardMute, inUse: state.inUse,
                    atr: state.cardPresent ? Hex.string(state.atr) : nil,
                    protocols: state.cardPresent ? (try? ATR(state.atr))?.protocols : nil,
                    atrDescription: state.cardPresent ? ATRTable.builtIn.match(state.atr)?.description : nil)
            }
        } catch {
            throw Output.fail(error)
        }
        if json {
            Output.line(Output.json(rows))
            return
        }
        if rows.isEmpty {
            Output.line("No card readers found. Check that the reader is plugged in (lsusb) and that pcscd sees it.")
            return
        }
        for row in rows {
            var line = row.reader
            if row.virtual { line += "  [virtual: simulator only]" }
            if row.mute {
                line += "\n    card inserted but not answering (mute)"
            } else if row.cardPresent {
                line += "\n    card present" + (row.inUse ? " (in use by a program)" : "")
                line += "\n    ATR \(row.atr ?? "")"
                if let protocols = row.protocols {
                    line += "  (" + protocols.map { "T=\($0)" }.joined(separator: ", ") + ")"
                } else {
                    line += "  (not a valid ISO 7816-3 ATR)"
                }
                if let description = row.atrDescription { line += "\n    \(description)" }
            } else {
                line += "\n    no card"
            }
            Output.line(line)
        }
    }
}
