import CardReaders
import Catalogue
import Config
import FaceTerminal
import Foundation
import LocalAPI
import Logging
import Scanners
import Settlement
import TerminalCore

/// `cuntong doctor`: every check a technician needs on one visit, each pass, warn or fail
/// with what to do.
package struct Doctor: Sendable {
    package enum Outcome: String, Sendable, Codable { case pass = "PASS", warn = "WARN", fail = "FAIL" }

    package struct Check: Sendable, Codable {
        package var name: String
        package var outcome: Outcome
        package var detail: String
    }

    let configPath: String
    let logger: Logger

    package init(configPath: String, logger: Logger) {
        self.configPath = configPath
        self.logger = logger
    }

    package func run() async -> [Check] {
        var checks: [Check] = []
        func add(_ name: String, _ outcome: Outcome, _ detail: String) { checks.append(Check(name: name, outcome: outcome, detail: detail)) }
        func add(contentsOf more: [Check]) { checks += more }

        // Configuration.
        let config: TerminalConfig
        do {
            config = try TerminalConfig.load(path: configPath)
            _ = try config.coreSettings()
            add("configuration", .pass, configPath)
        } catch {
            add("configuration", .fail, "\(error)")
            return checks
        }
        let simulator = config.simulatorEnabled

        // pcscd and the readers.
        do {
            let context = try await PCSCContext.establish()
            let readers = try await context.listReaders()
            await context.release()
            add("pcscd", .pass, "running")
            let virtual = readers.filter { $0.hasPrefix("Virtual PCD") }
            if readers.isEmpty {
                add("card readers", .fail, "no reader: plug the card reader in")
            } else {
                add("card readers", .pass, readers.joined(separator: ", "))
            }
            if !virtual.isEmpty && !simulator {
                add("virtual reader", .fail, "\(virtual.joined(separator: ", ")) present outside simulator mode: remove vsmartcard-vpcd from this terminal")
            }
        } catch CardReadError.serviceUnavailable {
            add("pcscd", .fail, "pcscd is not running: systemctl start pcscd.socket")
        } catch {
            add("pcscd", .fail, "\(error)")
        }

        add(contentsOf: await cardAuthenticationChecks(config))

        // Scanners.
        let scanners = SysfsScanners.known()
        add("QR scanner", scanners.isEmpty ? .warn : .pass,
            scanners.isEmpty ? "no known scanner connected (scan --list shows what is there)" : scanners.map(\.description).joined(separator: ", "))

        if let text = config.scanner?.usb_id {
            let named = USBID(text).map { SysfsScanners.matching($0) } ?? []
            add("configured scanner", named.isEmpty ? .fail : .pass,
                named.isEmpty ? "\(text) ([scanner] usb_id) is not plugged in (scan --list shows what is there)"
                    : named.map(\.description).joined(separator: ", "))
        }
        if let device = config.scanner?.device {
            add("configured scanner", FileManager.default.fileExists(atPath: device) ? .pass : .fail,
                FileManager.default.fileExists(atPath: device) ? device : "\(device) ([scanner] device) is not there: plug the scanner in, check the udev rules")
        }

        // The face terminal, when there is one. A running daemon holds its line: ask the
        // daemon then, rather than open a tty it is reading.
        let daemon = await DaemonStatus.fetch(socket: config.apiSocket)
        if let endpoint = config.faceEndpoint, let face = daemon?["face"] as? [String: Any] {
            let connected = face["connected"] as? Bool == true
            add("face terminal", connected ? .pass : .fail,
                connected ? "\(endpoint): connected to cuntongd" : "\(endpoint): cuntongd cannot reach it: check its cable or address")
        } else if let endpoint = config.faceEndpoint {
            do {
                let terminal = try await FaceTerminalClient.connect(endpoint)
                let status = try await terminal.status()
                await terminal.close()
                add("face terminal", .pass, "\(endpoint): \(status.model) \(status.serial), \(status.state)")
            } catch {
                add("face terminal", .fail, "\(endpoint): \(error.message)")
            }
        } else {
            add("face terminal", .pass, "none configured ([face] device or tcp; optional)")
        }

        // The core: reachable, sign-in, clock.
        do {
            let client = try SettlementSetup.client(configPath: configPath, logger: logger)
            do {
                let (_, skew) = try await client.probe()
                add("city core", .pass, "reachable; signed in (9001)")
                if let skew {
                    let seconds = abs(Double(skew.components.seconds) + Double(skew.components.attoseconds) / 1e18)
                    add("clock", seconds <= 60 ? .pass : .fail,
                        String(format: "%.0f s off the core's clock%@", seconds, seconds <= 60 ? "" : ": set the time (timedatectl)"))
                }
            } catch {
                add("city core", .fail, "\(error)")
            }
            let journal = client.journal
            let integrity = try await journal.integrityCheck()
            add("journal integrity", integrity == "ok" ? .pass : .fail, integrity == "ok" ? journal.path : integrity)
            let schema = try await journal.schema()
            add("journal schema", .pass, "\(schema.steps.count) steps, last “\(schema.steps.last ?? "none")”; opened by cuntong "
                + schema.openedBy.map(\.version).joined(separator: ", "))
            let doubt = try await journal.inDoubtCount()
            add("settlements in doubt", doubt == 0 ? .pass : .warn,
                doubt == 0 ? "none" : "\(doubt) message(s): cuntong journal recover (the daemon also retries)")
            if let problem = journal.keyProblem {
                add("journal key", .fail, problem.description)
            } else {
                add("journal key", .pass, "\(journal.keyPath): private (0600); personal data in the journal is sealed under it")
                let review = try await journal.visitsNeedingReview()
                add("settlements needing review", review.isEmpty ? .pass : .warn,
                    review.isEmpty ? "none" : "\(review.count) confirmed by the core with an unreadable answer (visit \(review.map { String($0.id!) }.joined(separator: ", "))): never reversed; have the insurance office confirm the amounts")
            }
            let cutoff = config.redactionCutoff()
            if let oldest = try await journal.oldestUnredactedDay() {
                add("personal data kept", oldest < cutoff ? .warn : .pass, oldest < cutoff
                    ? "since \(oldest), past the \(config.storage?.redact_after_days ?? 30) days kept: reconcile those days (cuntong reconcile --date D) so that they can be erased"
                    : "since \(oldest); erased once a day is reconciled and \(config.storage?.redact_after_days ?? 30) days old")
            } else {
                add("personal data kept", .pass, "none")
            }
            add("core profile", .pass, "\(client.settings.profile.name) (infver \(client.settings.profile.infver), recer_sys_code \(client.settings.profile.receiverSystemCode), gateway \(client.settings.profile.gateway.rawValue)), msgid slot \(client.settings.msgidSlot)")
            await client.shutdown()

            // Disk space where the journal lives.
            var fs = statvfs()
            if statvfs(client.settings.stateDirectory, &fs) == 0 {
                let free = Double(fs.f_bavail) * Double(fs.f_frsize) / 1_048_576
                add("disk space", free >= 100 ? .pass : .fail, String(format: "%.0f MB free in %@", free, client.settings.stateDirectory))
            }
        } catch {
            add("journal", .fail, "\(error)")
        }

        add(contentsOf: await catalogueChecks(config))

        // The daemon's local API (the check-in page and clinic software use it).
        let socket = config.apiSocket
        if daemon != nil {
            add("local API socket", .pass, "\(socket): cuntongd answers")
        } else if FileManager.default.fileExists(atPath: socket) {
            add("local API socket", .warn, "\(socket) is there but cuntongd does not answer (or you are not in the cuntong group)")
        } else {
            add("local API socket", .warn, "\(socket) is not there: is cuntongd running? (systemctl status cuntongd)")
        }
        return checks
    }

    /// The catalogue: each list's version, rows and age; WARN when missing or older than 7 days
    /// (fee rows are then checked against an old catalogue, or not at all).
    func catalogueChecks(_ config: TerminalConfig, now: Date = Date()) async -> [Check] {
        let path = config.cataloguePath()
        guard CatalogueStore.exists(at: path) else {
            return [Check(name: "catalogue", outcome: .warn, detail: "none downloaded yet (\(path)): fee rows are not checked; run cuntong catalogue sync")]
        }
        let states: [CatalogueStore.ListState]
        do { states = try await CatalogueStore(path: path).states() } catch {
            return [Check(name: "catalogue", outcome: .fail, detail: error.message)]
        }
        let files = states.filter { $0.list.hasPrefix("13") && $0.rows > 0 }
        guard !files.isEmpty else {
            return [Check(name: "catalogue", outcome: .warn, detail: "none downloaded yet (\(path)): fee rows are not checked; run cuntong catalogue sync")]
        }
        return states.map { s in
            let days = s.syncedAt.map { Int(now.timeIntervalSince($0) / 86_400) }
            let stale = days.map { $0 > 7 } ?? true
            return Check(name: "catalogue \(s.list)", outcome: stale ? .warn : .pass,
                         detail: "version \(s.version ?? "-"), \(s.rows) rows, synced \(days.map { "\($0) day(s) ago" } ?? "never")"
                            + (stale ? ": older than 7 days; is the daily sync failing? (cuntong catalogue sync)" : ""))
        }
    }

    /// The table, as printed and as written to the report file.
    /// RKSSSE for 3.0 cards as `[card] auth` configures it: the PSAM in its slot with the
    /// configured environments, or the key service answering.
    func cardAuthenticationChecks(_ config: TerminalConfig) async -> [Check] {
        let name = "card authentication"
        let holder: (any RKSSSEKeyHolder)?
        do { holder = try config.rksseKeyHolder(path: configPath) } catch {
            return [Check(name: name, outcome: .fail, detail: error.message)]
        }
        switch holder {
        case let psam as PSAMKeyHolder:
            do {
                let environments = try await psam.check()
                let detail = "PSAM in \"\(psam.settings.reader)\"; environments " + environments.keys.sorted()
                    .map { "\($0) \(environments[$0]! ? "ok" : "missing")" }.joined(separator: ", ")
                let usable = environments.values.contains(true)
                var checks = [Check(name: name, outcome: usable ? .pass : .fail,
                                    detail: usable ? detail : detail + ": this PSAM has none of the configured key environments ([card] psam_environments)")]
                if environments["03"] == nil {
                    checks.append(Check(name: "PSAM SM4", outcome: .warn, detail:
                        "no [card] psam_environments entry for \"03\" (SM4): no public source names it; 3.0 SM4 cards stay locked until it is set from the PSAM vendor's documentation"))
                }
                return checks
            } catch {
                return [Check(name: name, outcome: .fail, detail: error.message)]
            }
        case let service as KeyServiceKeyHolder:
            do {
                let status = try await service.probe()
                return [Check(name: name, outcome: .pass, detail: "key service \(service.settings.url) answers (HTTP \(status))")]
            } catch {
                return [Check(name: name, outcome: .fail, detail: error.message)]
            }
        default:
            return [Check(name: name, outcome: .pass, detail:
                "none ([card] auth): 3.0 cards whose personal file is locked check in by card number; the core names the patient")]
        }
    }

    package static func table(_ checks: [Check]) -> String {
        let width = checks.map(\.name.count).max() ?? 10
        return checks.map { "\($0.outcome.rawValue)  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.detail)" }
            .joined(separator: "\n")
    }
}
