import ArgumentParser
import Config
import Foundation
import Logging
import Provisioning
import TerminalCore

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the terminal: configuration, pcscd and readers, scanners, the city core, clock, journal, disk.",
        discussion: """
            Prints a PASS/WARN/FAIL table and writes it, with the date and the version, to a
            report file the technician can hand over: --report PATH, or by default
            doctor/cuntong-doctor-<date>.txt in the state directory (/var/lib/cuntong, or the
            configuration's [storage] state_dir, or $CUNTONG_STATE_DIR). Exit status 1 if any
            check fails.
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "Where to write the report (default: doctor/cuntong-doctor-<date>.txt in the state directory).")
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
        let path = report ?? Self.defaultReportPath(configPath: config.path, day: String(stamp.prefix(10)))
        let text = "cuntong doctor, version \(CuntongVersion.string), \(stamp), config \(config.path)\n\n\(table)\n"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            Output.error("report written to \(path)")
        } else {
            Output.error("could not write the report to \(path): name a writable file with --report PATH")
        }
        if checks.contains(where: { $0.outcome == .fail }) { throw ExitCode(1) }
    }

    /// Under the state directory, never the working directory: a report left in a source
    /// tree or a home directory is easily copied around or committed.
    /// A configuration that does not load still has a state directory: the default one.
    static func defaultReportPath(configPath: String, day: String) -> String {
        let state = (try? TerminalConfig.load(path: configPath))?.stateDirectory()
            ?? ProcessInfo.processInfo.environment["CUNTONG_STATE_DIR"] ?? "/var/lib/cuntong"
        return state + "/doctor/cuntong-doctor-\(day).txt"
    }
}
