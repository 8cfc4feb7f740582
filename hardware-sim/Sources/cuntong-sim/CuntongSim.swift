import ArgumentParser

@main
struct CuntongSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuntong-sim",
        abstract: "Simulated terminal hardware for tests and technicians.",
        discussion: """
            Each simulator follows the published specification of the device it stands in for,
            not cuntong's code, so that it can catch cuntong being wrong. Each has a control
            socket taking one text command per line (INSERT, REMOVE, FAULT …, STATUS, QUIT);
            the city core takes faults over HTTP (POST /sim/faults).
            """,
        subcommands: [CardCommand.self, PSAMCommand.self, CoreCommand.self, ScannerCommand.self, FaceCommand.self, PrinterCommand.self])
}
