import ArgumentParser
import Foundation
import HardwareSim

struct PSAMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psam",
        abstract: "A virtual social-security PSAM in a vpcd reader: the SAM slot for RKSSSE (3.0 cards).",
        discussion: """
            Needs pcscd running with the vsmartcard vpcd driver (hardware-sim/pcscd-up). The
            PSAM is inserted at start and stays until the program ends. It holds the simulated
            issuer's IRK (key id 08) and RKSSSE (0A) masters, three diversification levels
            (usage 67), in the DES environment (DDF sx1.sh.社会保障 → ADF D15600000590) and an
            SM4 environment that no public source names (DDF sx3.sh.社会保障, DDF3).

            A terminal uses it with:
              [card]
              auth = "psam"
              psam_reader = "Virtual PCD 00 01"
              psam_environments = { "03" = ["7378332E73682EC9E7BBE1B1A3D5CF", "D15600000590"] }
            """)

    @Option(help: "vpcd slot: 1 is \"Virtual PCD 00 01\" on port 35964.")
    var slot: Int = 1

    @Option(help: "vpcd host.")
    var host: String = "127.0.0.1"

    func run() async throws {
        let simulator = CardSimulator(psamHost: host, port: CardSimulator.port(slot: slot))
        do {
            try await simulator.insert()
        } catch {
            FileHandle.standardError.write(Data("cuntong-sim: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data("PSAM simulator: inserted, vpcd \(host):\(simulator.port)\n".utf8))
        await simulator.waitUntilRemoved()
    }
}
