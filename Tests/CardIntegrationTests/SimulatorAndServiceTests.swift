import CardReaders
import Foundation
import HardwareSim
import Testing

extension RealStack {
@Suite("cuntong-sim card and pcscd restarts")
struct SimulatorAndService {
    init() async throws {
        try await Harness.pcscdUp()
    }

    /// Sends one line to a control socket and returns the answer line.
    func control(_ path: String, _ command: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(connected == 0, "cannot connect to \(path)")
        let line = Array((command + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A { answer.append(byte) }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test("cuntong-sim card is driven over its control socket: INSERT, FAULT, REMOVE, STATUS, QUIT")
    func simulatorProcess() async throws {
        let socketPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("cuntong-card-\(getpid()).sock").path
        let process = Process()
        process.executableURL = Harness.binDirectory.appendingPathComponent("cuntong-sim")
        process.arguments = ["card", "--holder", Harness.cardFile("zhang-wei"), "--removed", "--control", socketPath]
        process.standardOutput = FileHandle.nullDevice
        try Harness.spawn(process)
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socketPath) {
            try await Task.sleep(for: .milliseconds(50))
        }

        #expect(try control(socketPath, "STATUS").hasPrefix("OK inserted=no"))
        #expect(try control(socketPath, "INSERT") == "OK inserted")
        try await Harness.waitForCard(present: true)
        let read = try await Harness.cuntong("card", "read", "--json", "--reveal")
        #expect(read.stdout.contains("\"name\":\"张伟\""))
        // zhang-wei answers like a T=0 card (6Cxx unless Le is exact), but records read by
        // identifier ask for their exact size, so none is sent twice: 3 SELECTs, 12 records
        // read once, and no record 04 or 0C (6A83 by identifier, 6A83 by number): 3 + 12 + 2 × 2.
        let status = try control(socketPath, "STATUS")
        #expect(status.hasPrefix("OK inserted=yes fault=none commands=19"), "\(status)")

        #expect(try control(socketPath, "FAULT bank").hasPrefix("OK fault bank"))
        #expect(try control(socketPath, "FAULT sideways").hasPrefix("ERR unknown fault"))
        #expect(try control(socketPath, "REMOVE") == "OK removed")
        try await Harness.waitForCard(present: false)
        #expect(try control(socketPath, "INSERT") == "OK inserted")
        try await Harness.waitForCard(present: true)
        let bank = try await Harness.cuntong("card", "read")
        #expect(bank.status == 1)
        #expect(bank.stderr.contains("CARD-NOT-SSSE"))

        #expect(try control(socketPath, "HOLDER /nonexistent.json").hasPrefix("ERR cannot use"))
        #expect(try control(socketPath, "QUIT") == "OK bye")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: socketPath))
        try await Harness.waitForCard(present: false)
    }

    @Test("the reader monitor survives a pcscd restart: service lost, then restored with its readers")
    func pcscdRestart() async throws {
        var events = ReaderMonitor().events().makeAsyncIterator()
        #expect(await events.next() == .readerAdded(Harness.slot0))
        #expect(await events.next() == .readerAdded(Harness.slot1))

        let down = try await Harness.run(Harness.packageRoot.appendingPathComponent("hardware-sim/pcscd-down").path, ["--any"])
        try #require(down.status == 0, "pcscd-down: \(down.stderr)")
        #expect(await events.next() == .readerRemoved(Harness.slot0))
        #expect(await events.next() == .readerRemoved(Harness.slot1))
        #expect(await events.next() == .serviceLost)

        try await Harness.pcscdUp()
        #expect(await events.next() == .serviceRestored)
        #expect(await events.next() == .readerAdded(Harness.slot0))
        #expect(await events.next() == .readerAdded(Harness.slot1))

        // And cards are read again without restarting anything of ours.
        let simulator = CardSimulator(holder: try Harness.holder("liu-yan"))
        try await simulator.insert()
        #expect(await events.next() == .cardInserted(reader: Harness.slot0, atr: Hex.bytes(CardholderProfile.defaultATR)!))
        let result = try await CardSession.read(reader: Harness.slot0)
        #expect(result.card.holder?.name == "刘䶮")
        try await Harness.remove(simulator)
    }
}
}

