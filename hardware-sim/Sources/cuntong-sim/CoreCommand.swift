import ArgumentParser
import Foundation
import HardwareSim
import Logging

struct CoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "A simulated city settlement core speaking the national platform's interface.",
        discussion: """
            Serves the national platform's transactions (9001, 9002, 1101, 2001, 2201-2208, 2601, 3201,
            3202, 5201/5203/5204, 5301, the catalogue 1301-1307 + 9102, 1312/1317/1318/1319, 1901,
            3301/3302, 9101; hardware-sim/core/after-the-visit.md)
            on the paths of --profile (national: POST /fsi/api/rsfComIfsService/callService; a
            province's per-service paths, infno variants, infver and gateway signature, checked
            with the secrets of --credentials) and the e-credential query, with its own SQLite
            ledger under --state-dir, insured persons from --persons (the same people as
            hardware-sim/cards/, plus QR codes and face tokens) and the reimbursement policy in
            --policy. It answers as recorded real cores do (numbers, nulls, fields left out,
            17-digit times) and refuses a request missing a field the spec requires
            (hardware-sim/core/spec/transactions.json). A repeated msgid gets the first answer.

            Faults (--fault, repeatable; or POST one per line to /sim/faults while running):
              \(CoreFault.usage)
              delay:MS[:INFNO]       answer late
              drop:INFNO[:TIMES]     commit, then lose the answer (the terminal must not double it)
              http500:INFNO[:TIMES]  HTTP 500, nothing done
              reset:INFNO[:TIMES]    connection cut, nothing done
              wrong-sign-no[:TIMES]  the next message is refused for a stale sign_no
              bad-output:INFNO[:TIMES]  done and committed, answered infcode 0 with an unreadable output
              zip-truncated:LIST[:TIMES]  the list's (1301…1307) next 9102 zip cut short (HTTP 200)
              zip-not-utf8:LIST[:TIMES]   the list's next 9102 zip holds GBK text
              zip-short-row:LIST[:TIMES]  the list's next 9102 zip has a row with fewer columns
              page-fail:INFNO:PAGE[:TIMES]  that page of 1312/1317/1318/1319 answers infcode -1
              page-no-pages:INFNO[:TIMES]   a page answer without `pages`
              (reset:9102 cuts a download in the middle of the zip body)
              ledger-forget:SETL_ID  the ledger loses that settlement (3201/3202 miss it, 5203 finds nothing)
              ledger-extra           the ledger gains a settlement the terminal never made (today, this institution)
            The catalogue (hardware-sim/core/catalogue/README.md) is generated once per machine and
            size into --catalogue-cache; --catalogue-rows 2000 makes a small one for tests.
            GET /sim/totals?fixmedins_code=C&day=YYYY-MM-DD gives the ledger's settled totals.

            Example:
              cuntong-sim core --port 8443 --fault drop:2207
              cuntong-sim core --profile zhejiang --credentials creds.toml
            """)

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; see --port-file).")
    var port: Int = 8443

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Directory for the core's ledger (core-ledger.sqlite).")
    var stateDir: String = "/tmp/cuntong-sim/core"

    @Option(help: "Directory of insured persons (*.json). Default: hardware-sim/core/persons in a source tree, else the cuntong-sim package's /usr/share/cuntong-sim/core/persons.")
    var persons: String = SimData.path("core/persons")

    @Option(help: "Reimbursement policy file. Default: core/policy/village-clinic.json, found as --persons is.")
    var policy: String = SimData.path("core/policy/village-clinic.json")

    @Option(help: "Serve HTTPS with this PEM certificate chain (with --tls-key).")
    var tlsCert: String?

    @Option(help: "The PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "The province profile to serve: national, guangdong, zhejiang, or a profile file.")
    var profile: String = "national"

    @Option(help: "The gateway's secrets, in the format of [core] credentials_file ([tif] paasid/token, [x-ca] app_key/app_secret).")
    var credentials: String?

    @Option(help: "Rows of the generated 1301 catalogue file (the other lists scale down with it below 150000).")
    var catalogueRows: Int = 150_000

    @Option(help: "Where the generated catalogue is cached (default: a directory under the system temp dir).")
    var catalogueCache: String?

    @Option(help: "Columns of the 3202 result file: 10 (…, stmt_rslt, refd_setl_flag, memo, the core's amounts) or 7 (psn_no, mdtrt_id, setl_id, msgid, refd_setl_flag, stmt_rslt, memo).")
    var detailResultColumns: Int = 10

    @Option(help: "A fault to show (repeatable): \(CoreFault.usage).")
    var fault: [String] = []

    func validate() throws {
        for f in fault where CoreFault(parsing: f) == nil {
            throw ValidationError("unknown fault \"\(f)\"; use \(CoreFault.usage)")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard detailResultColumns == 10 || detailResultColumns == 7 else {
            throw ValidationError("--detail-result-columns must be 10 or 7")
        }
        guard catalogueRows >= 40 else { throw ValidationError("--catalogue-rows must be at least 40") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        for (flag, path) in [("--persons", persons), ("--policy", policy)] where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(flag) \(path) does not exist (run from the repository root, or give the path)")
        }
    }

    func run() async throws {
        let simulator: CoreSimulator
        do {
            simulator = try CoreSimulator(stateDirectory: stateDir, personsDirectory: persons, policyPath: policy,
                                          profile: try SimProfile.load(profile, credentialsFile: credentials),
                                          catalogueRows: catalogueRows, catalogueCache: catalogueCache,
                                          detailResultColumns: detailResultColumns)
        } catch {
            throw ValidationError("cannot start the core: \(error)")
        }
        var logger = Logger(label: "cuntong-sim.core")
        logger.logLevel = .warning
        let server = CoreServer(simulator: simulator, faults: fault.compactMap(CoreFault.init(parsing:)))
        let portFile = self.portFile, host = self.host
        let tls = tlsCert.flatMap { cert in tlsKey.map { (certificate: cert, key: $0) } }
        let scheme = tls == nil ? "http" : "https"
        try await server.run(host: host, port: port, logger: logger, tls: tls) { bound in
            if let portFile { try? "\(bound)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
            print("cuntong-sim core: listening on \(scheme)://\(host):\(bound)")
            fflush(nil)
        }
    }
}
