import ArgumentParser
import TerminalCore

@main
struct Cuntong: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuntong",
        abstract: "Check patients in and settle their medical insurance at a village clinic terminal.",
        discussion: """
            Commands for technicians and operators. Personal data (ID numbers, names, card
            numbers) is masked in all output unless --reveal is given.

            Examples:
              cuntong status                  what the running daemon sees (readers, core link, queue)
              cuntong readers                 list card readers and inserted cards
              cuntong card read --json        wait for a social-security card and read it
              cuntong card watch              print every reader/card event as it happens
              cuntong scan --json             wait for one QR code from the USB scanner
              cuntong face scan --device /dev/ttyACM1   one face scan at the face terminal
              cuntong checkin --card          confirm the card holder's insurance with the city core
              cuntong settle --id-number N --fees fees.json   settle a visit
              cuntong journal recover         resolve settlements whose answer was lost
              cuntong reconcile               check today's totals against the city core (3201)
              cuntong catalogue sync          download the insurance catalogue; `catalogue search amxl`
            """,
        version: CuntongVersion.string,
        subcommands: [Status.self, Readers.self, Card.self, Scan.self, Face.self, DoctorCommand.self, Provision.self, Checkin.self, Settle.self, JournalCommand.self, Reconcile.self, CatalogueCommand.self, ReceiptCommand.self, UdevRulesCommand.self])
}
