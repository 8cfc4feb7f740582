import Foundation
import TestSupport
import Testing

/// scripts/build-progress: what the technician sees during the demo's and build-deb's long
/// first build, instead of thousands of compiler lines.
@Suite("Build progress")
struct BuildProgressTests {
    @Test("Without a terminal, a line each tenth of the way through every phase of swift build, including the long one after a phase of one step")
    func linesPerPhase() async throws {
        // The phases of a first `swift build`, as its output counts them: the plugins'
        // tools, a one-step phase, then the products.
        var output = (0...21).map { "[\($0)/21] Compiling Tool\($0).swift" }
        output += ["[0/1] Planning build", "[1/1] Compiling plugin GenerateManual"]
        output += (1...966).map { "[\($0)/966] Compiling Module\($0).swift" }
        output += ["Build complete! (1200.00s)"]
        let script = ProcessRunner.packageRoot.path + "/scripts/build-progress"
        let log = NSTemporaryDirectory() + "cuntong-build-progress-\(UUID().uuidString.prefix(8)).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try await ProcessRunner.run("/bin/bash", [script, log, "Building cuntong", "--", "/bin/cat"],
                                            stdin: Data((output.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let steps = r.stdout.split(separator: "\n").filter { $0.contains("step") }.map {
            $0.split(separator: " ").prefix(5).joined(separator: " ")
        }
        #expect(steps.filter { $0.hasSuffix("of 966") }.count == 11, "0 % to 100 % of the long phase: \(steps)")
        #expect(steps.last == "100% step 966 of 966")
        #expect(r.stdout.contains("built in"))
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("Build complete!"), "the whole output is in the log")
    }
}
