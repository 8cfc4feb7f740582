import ArgumentParser
import Scanners

struct UdevRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print the udev rules generated from the known-scanner table (for udev/70-cuntong-scanners.rules).")

    func run() {
        print(UdevRules.generate(), terminator: "")
    }
}
