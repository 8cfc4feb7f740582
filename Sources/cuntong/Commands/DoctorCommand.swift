import ArgumentParser
import Foundation
import Logging
import TerminalCore
import TerminalService

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the terminal: configuration, pcscd and readers, scanners, the city core, clock, journal, disk.",
        discussion: """
            Prints a PASS/WARN/FAIL table and writes it, with the date and the version, to a
            report file the technician can hand over (--report, default
            ./cuntong-doctor-<date>.txt). Exit status 1 if any check fails.
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "Where to write the report.")
    var report: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        var logger = Logger(label: "cuntong.doctor") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .critical
        let checks = await Doctor(configPath: config.path, logger: logger).run()
        let table = Doctor.table(checks)
        Output.line(json ? Output.json(checks) : table)
        let stamp = ISO8601DateFormatter().string(from: Date())
        let path = report ?? "cuntong-doctor-\(stamp.prefix(10)).txt"
        let text = "cuntong doctor, version \(CuntongVersion.string), \(stamp), config \(config.path)\n\n\(table)\n"
        if FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            Output.error("report written to \(path)")
        } else {
            Output.error("could not write the report to \(path)")
        }
        if checks.contains(where: { $0.outcome == .fail }) { throw ExitCode(1) }
    }
}
