import ArgumentParser
import Foundation
import Provisioning
import Settlement

struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set the terminal up in one visit: user, directories, configuration, unit, udev rules, sign-in.",
        discussion: """
            Asks for the institution code and name, admin division, terminal number, operator,
            the city core's URL and CA (or takes them as flags with --non-interactive), then:
            creates the service user cuntong (sysusers), the directories (tmpfiles), writes
            the configuration (0600, owner cuntong), installs cuntongd.service and the udev
            rules, signs in to the core (9001) as proof, and starts the service. Each step is
            shown as it runs; the first failure stops it with the reason.
            --root DIR works on a scratch root instead of / (nothing is started there).
            """)

    @Option(help: "fixmedins_code (12 characters).") var institutionCode: String?
    @Option(help: "fixmedins_name.") var institutionName: String?
    @Option(help: "The clinic's 6-digit admin division.") var admdvs: String?
    @Option(help: "This terminal's number (dev_no).") var deviceNo: String?
    @Option(help: "The operator's code (opter).") var `operator`: String?
    @Option(help: "The operator's name.") var operatorName: String?
    @Option(help: "The city core's URL.") var coreUrl: String?
    @Option(help: "PEM file of the CA that signed the core's certificate.") var caFile: String?
    @Option(help: "Milliseconds to wait for the core.") var timeoutMs: Int = 5000
    @Option(help: "How the province's core carries the messages: national, guangdong, zhejiang, or a profile file.")
    var profile: String = "national"
    @Option(help: "The 0600 file with the gateway's secrets, for a profile whose gateway signs (guangdong, zhejiang).")
    var credentialsFile: String?
    @Option(help: "This terminal's msgid slot, 0–9: different on each terminal of the institution.")
    var msgidSlot: Int = 0
    @Flag(help: "Take every answer from the flags; ask nothing.") var nonInteractive = false
    @Option(help: "Install into this root instead of /.") var root: String = "/"
    @Option(help: "Where the packaged unit, sysusers and tmpfiles files are.") var files: String = "/usr/share/cuntong/systemd"
    @Flag(help: "Do not reload udev/systemd or start the service.") var noStart = false
    @Option(help: "Also serve the check-in page and the API on 127.0.0.1:PORT, with a new token in /etc/cuntong/api.token.")
    var pagePort: Int?

    func validate() throws {
        if let pagePort, !(1...65535).contains(pagePort) { throw ValidationError("--page-port must be 1 to 65535") }
    }

    func ask(_ question: String, _ given: String?, default value: String? = nil) throws -> String {
        if let given { return given }
        if nonInteractive {
            if let value { return value }
            throw ValidationError("--non-interactive needs \(question)")
        }
        FileHandle.standardError.write(Data("\(question)\(value.map { " [\($0)]" } ?? ""): ".utf8))
        let line = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
        if line.isEmpty, let value { return value }
        guard !line.isEmpty else { throw ValidationError("\(question) is needed") }
        return line
    }

    func run() async throws {
        let answers = CoreSettings(
            institutionCode: try ask("institution code (fixmedins_code, 12 characters)", institutionCode),
            institutionName: try ask("institution name", institutionName),
            adminDivision: try ask("admin division (6 digits)", admdvs),
            deviceNumber: try ask("terminal number", deviceNo, default: "CT-0001"),
            operatorCode: try ask("operator code", `operator`),
            operatorName: try ask("operator name", operatorName),
            url: try ask("city core URL", coreUrl),
            timeoutMilliseconds: timeoutMs, caFile: caFile, profile: try CoreProfile.load(profile),
            credentials: try credentialsFile.map { path throws(SettlementError) in try GatewayCredentials.load(path: path) },
            msgidSlot: msgidSlot, stateDirectory: "/var/lib/cuntong")
        let provisioner = Provisioner(root: root, filesDirectory: files) { Output.error($0) }
        do {
            try await provisioner.provision(answers, startService: !noStart, pagePort: pagePort, profile: profile,
                                            credentialsFile: credentialsFile)
            Output.line("provisioned: run `cuntong doctor` to check the devices")
        } catch {
            throw Output.fail(error)
        }
    }
}
