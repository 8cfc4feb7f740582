import Foundation
import Settlement
import TestSupport
import Testing

/// The link to the city core as the clinic sees it, with the simulated core stopped and
/// started under a running daemon: never optimistic, told before a patient is at the desk,
/// back without a restart.
@Suite("City-core link", .serialized, .timeLimit(.minutes(5)))
struct CoreLinkTests {
    func core(_ api: LocalAPIClient) async throws -> [String: Any] {
        try #require((try await api.get("/v1/status").object())["core"] as? [String: Any])
    }

    @Test("Started with the core down: down with the reason and nothing contacted; the core back: up without a restart; core.down then core.up")
    func downThenUp() async throws {
        try await withCore { first in
            await first.halt()
            let daemon = try await DaemonFixture.start(core: first, arguments: ["--link-probe-max", "2"])
            let api = daemon.api
            let events = try await api.events()
            try await waitUntil { (try await core(api))["state"] as? String == "down" }
            let down = try await core(api)
            #expect(down["reachable"] as? Bool == false)
            #expect(down["reason"] as? String == "CORE-UNREACHABLE")
            #expect(down["since"] != nil && down["lastContact"] == nil, "nothing was ever contacted")
            #expect(down["signedIn"] as? Bool == false)
            let status = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["status", "--config", daemon.configPath])
            #expect(status.status == 2)
            #expect(status.stdout.contains("UNREACHABLE since") && status.stdout.contains("(CORE-UNREACHABLE)"), "\(status.stdout)")
            let metrics = try await api.get("/metrics").text
            #expect(metrics.contains("cuntong_core_up 0"))

            // The core comes back on its address: the probe finds it, the daemon signs in.
            let back = try await first.restart()
            #expect(await events.wait(for: "core.up", timeout: .seconds(15)) != nil)
            let up = try await core(api)
            #expect(up["state"] as? String == "up" && up["reachable"] as? Bool == true)
            #expect(up["signedIn"] as? Bool == true && up["signedInAt"] != nil && up["lastContact"] != nil)
            #expect(up["reason"] == nil)
            let upMetrics = try await api.get("/metrics").text
            #expect(upMetrics.contains("cuntong_core_up 1"))
            #expect(try #require(upMetrics.split(separator: "\n").first { $0.hasPrefix("cuntong_core_signin_age_seconds ") })
                        .split(separator: " ").last.flatMap { Double($0) }.map { $0 >= 0 } == true)
            // The first core.down may come before this test subscribed.
            let order = events.all.map(\.type).filter { $0.hasPrefix("core.") }
            #expect(order == ["core.up"] || order == ["core.down", "core.up"], "\(order)")

            // Down again while up: the first failure tells everyone at once, and the probe brings it back.
            await back.halt()
            let failed = try await api.post("/v1/checkins", ["idNumber": Fixtures.ouyang])
            #expect(failed.object()["code"] as? String == "CORE-UNREACHABLE")
            #expect(await events.wait(for: "core.down") != nil)
            #expect((try await core(api))["state"] as? String == "down")
            let again = try await back.restart()
            #expect(await events.wait(for: "core.up", where: { _ in
                events.all.filter { $0.type == "core.up" }.count >= 2 }) != nil)
            let sequence = Array(events.all.map(\.type).filter { $0.hasPrefix("core.") }.drop { $0 == "core.down" })
            #expect(sequence == ["core.up", "core.down", "core.up"], "events in order: \(sequence) all: \(events.all.map(\.type)) log: \(daemon.log.suffix(3000))")
            #expect(await daemon.stop() == 0)
            await again.stop()
        }
    }

    @Test("[core] sign_out_on_stop: an orderly stop signs out (9002) and still exits 0")
    func signOutOnStop() async throws {
        try await withCore { fixture in
            let daemon = try await DaemonFixture.start(core: fixture, coreConfig: "sign_out_on_stop = true")
            try await waitUntil { (try await core(daemon.api))["state"] as? String == "up" }
            #expect(await daemon.stop() == 0)
            let journal = try Journal(directory: fixture.directory + "/daemon")
            let infnos = try await journal.messages(limit: 20).map(\.infno)
            #expect(infnos.first == "9002" && infnos.contains("9001"), "\(infnos)")
        }
    }
}
