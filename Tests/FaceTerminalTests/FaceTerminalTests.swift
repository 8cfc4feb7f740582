import FaceTerminal
import Foundation
import HardwareSim
import NIOCore
import NIOPosix
import TerminalCore
import Testing

/// The face driver against the simulated module (hardware-sim/face/PROTOCOL.md), on TCP
/// and on a pty.
@Suite("Face terminal", .timeLimit(.minutes(5)))
struct FaceTerminalTests {
    func module(_ outcomes: [FaceModuleSimulator.Outcome], tokens: [String] = ["FACE-OY-0001"]) -> FaceModuleSimulator {
        FaceModuleSimulator(outcomes: outcomes, tokens: tokens, faceAfterMs: 30, resultAfterMs: 30)
    }

    func collect(_ events: AsyncStream<FaceEvent>) async -> [FaceEvent] {
        var all: [FaceEvent] = []
        for await e in events { all.append(e) }
        return all
    }

    @Test("Every outcome over TCP: faceFound then one final event; only a match gives a credential")
    func outcomes() async throws {
        let sim = module([.matched, .noMatch, .livenessFailed, .deviceError, .timeout])
        let server = try await sim.serveTCP(port: 0)
        let client = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: server.localAddress!.port!))
        var finals: [FaceEvent] = []
        for _ in 0..<5 {
            let (_, events) = try await client.scan(timeout: 1)
            let all = await collect(events)
            #expect(all.filter(\.isFinal).count == 1)
            finals.append(all.last!)
        }
        #expect(finals == [.matched(token: "FACE-OY-0001"), .noMatch, .livenessFailed, .deviceError("camera not available"), .timeout])
        #expect(finals[0].credential(source: "t") == Credential(kind: .faceAuthToken, payload: "FACE-OY-0001", source: "t"))
        #expect(finals.dropFirst().allSatisfy { $0.credential(source: "t") == nil })
        #expect(FaceEvent.noMatch.patientMessage == "未识别，请重试或刷卡")
        #expect(FaceEvent.faceFound.patientMessage == "请正对摄像头")
        await client.close()
        try await server.close()
    }

    @Test("Over a pty, as on a serial line; status answers")
    func pty() async throws {
        let sim = module([.matched], tokens: ["FACE-LY-0001"])
        let (channel, device) = try await sim.servePTY(link: nil, holdOpen: false)
        let client = try await FaceTerminalClient.connect(.tty(path: device))
        let status = try await client.status()
        #expect(status.state == "idle")
        #expect(status.model == "cuntong-sim face")
        let (_, events) = try await client.scan(timeout: 5)
        #expect(await collect(events) == [.faceFound, .matched(token: "FACE-LY-0001")])
        await client.close()
        try? await channel.close()
    }

    @Test("Cancel stops the scan: the module answers cancelled")
    func cancel() async throws {
        let sim = module([.timeout])
        let server = try await sim.serveTCP(port: 0)
        let client = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: server.localAddress!.port!))
        let (id, events) = try await client.scan(timeout: 60)
        try await Task.sleep(for: .milliseconds(100))
        try await client.cancel(scan: id)
        #expect(await collect(events) == [.cancelled])
        await client.close()
        try await server.close()
    }

    @Test("A second scan while one runs is refused as busy")
    func busy() async throws {
        let sim = module([.timeout])
        let server = try await sim.serveTCP(port: 0)
        let client = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: server.localAddress!.port!))
        let (first, _) = try await client.scan(timeout: 60)
        let (_, second) = try await client.scan(timeout: 60)
        let events = await collect(second)
        #expect(events.count == 1)
        #expect(events.first?.code == "FACE-BUSY")
        try await client.cancel(scan: first)
        await client.close()
        try await server.close()
    }

    @Test("A module that acknowledges and then never answers: a device error after the timeout, not a hang")
    func silent() async throws {
        let sim = module([.silent])
        let server = try await sim.serveTCP(port: 0)
        let client = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: server.localAddress!.port!))
        let (_, events) = try await client.scan(timeout: 1, ackTimeout: .milliseconds(200), resultGrace: .milliseconds(300))
        let all = await collect(events)
        #expect(all.count == 1)
        #expect(all.first?.code == "FACE-DEVICE-ERROR")
        await client.close()
        try await server.close()
    }

    @Test("Something that is not a face terminal (accepts, never acks): a device error after the ack timeout")
    func noAck() async throws {
        let mute = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: mute.localAddress!.port!))
        let (_, events) = try await client.scan(timeout: 1, ackTimeout: .milliseconds(200))
        let all = await collect(events)
        #expect(all.count == 1)
        #expect(all.first?.code == "FACE-DEVICE-ERROR")
        await client.close()
        try await mute.close()
    }

    @Test("The module unplugged mid-scan: the scan ends, nothing hangs")
    func unplugged() async throws {
        let sim = module([.timeout])
        let (channel, device) = try await sim.servePTY(link: nil, holdOpen: false)
        let client = try await FaceTerminalClient.connect(.tty(path: device))
        let (_, events) = try await client.scan(timeout: 60)
        try await Task.sleep(for: .milliseconds(100))
        try await channel.close()
        let all = await collect(events)
        #expect(!all.contains { if case .matched = $0 { true } else { false } })
        await client.close()
    }

    @Test("Nothing listening: a clear error")
    func unreachable() async {
        await #expect(throws: FaceError.unreachable("127.0.0.1:9", "connection refused")) {
            _ = try await FaceTerminalClient.connect(.tcp(host: "127.0.0.1", port: 9))
        }
    }
}
