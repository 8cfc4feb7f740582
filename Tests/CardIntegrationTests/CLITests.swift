import CardReaders
import Foundation
import HardwareSim
import Testing

extension RealStack {
@Suite("cuntong readers / card read / card watch")
struct CLI {
    init() async throws {
        try await Harness.pcscdUp()
    }

    static let contractKeys: Set<String> = [
        "reader", "atr", "cardIdentifier", "issuingRegion", "cardType", "specVersion", "issueDate",
        "expiryDate", "cardNumber", "socialSecurityNumber", "name", "gender", "nation", "birthDate", "expired",
    ]

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("card read --json prints the contract's keys, masked by default")
    func readMasked() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        try await Harness.insert(simulator)
        let result = try await Harness.cuntong("card", "read", "--json")
        try await Harness.remove(simulator)

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try json(result.stdout)
        #expect(Self.contractKeys.isSubset(of: Set(object.keys)))
        #expect(object["reader"] as? String == "Virtual PCD 00 00")
        #expect(object["socialSecurityNumber"] as? String == "360402********106X")
        #expect(object["name"] as? String == "欧*淼")
        #expect(object["cardNumber"] as? String == "J3*****31")
        #expect(object["birthDate"] as? String == "1985-**-**")
        #expect(object["issuingRegion"] as? String == "360400")
        #expect(object["issueDate"] as? String == "2021-04-16")
        #expect(object["expiryDate"] as? String == "2031-04-16")
        #expect(object["gender"] as? String == "2")
        #expect(object["expired"] as? Bool == false)
        #expect(!result.stdout.contains("欧阳淼"))
        #expect(!result.stdout.contains("36040219850312106X"))
    }

    @Test("card read --reveal shows the full values; the text form labels the virtual reader")
    func readRevealed() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        try await Harness.insert(simulator)
        let revealed = try await Harness.cuntong("card", "read", "--json", "--reveal")
        let text = try await Harness.cuntong("card", "read")
        try await Harness.remove(simulator)

        let object = try json(revealed.stdout)
        #expect(object["socialSecurityNumber"] as? String == "36040219850312106X")
        #expect(object["name"] as? String == "欧阳淼")
        #expect(object["cardIdentifier"] as? String == "360400D156000005A1B2C3D4E5F60718")
        #expect(object["birthDate"] as? String == "1985-03-12")
        #expect(text.status == 0)
        #expect(text.stdout.contains("欧*淼"))
        #expect(text.stdout.contains("virtual reader"))
        #expect(!text.stdout.contains("欧阳淼"))
    }

    @Test("an expired card is read, exits 0 and is flagged")
    func expired() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("wang-xiuying-expired"))
        try await Harness.insert(simulator)
        let jsonResult = try await Harness.cuntong("card", "read", "--json")
        let text = try await Harness.cuntong("card", "read")
        try await Harness.remove(simulator)
        #expect(jsonResult.status == 0)
        #expect(try json(jsonResult.stdout)["expired"] as? Bool == true)
        #expect(text.stdout.contains("EXPIRED"))
    }

    @Test("errors: message and code on stderr, nothing on stdout, exit status 1")
    func errors() async throws {
        let noCard = try await Harness.cuntong("card", "read", "--reader", Harness.slot1, "--timeout", "1")
        #expect(noCard.status == 1)
        #expect(noCard.stdout.isEmpty)
        #expect(noCard.stderr.contains("CARD-NO-CARD"))
        #expect(noCard.stderr.contains("Insert the social-security card"))

        let noReader = try await Harness.cuntong("card", "read", "--reader", "No Such Reader", "--timeout", "1")
        #expect(noReader.status == 1)
        #expect(noReader.stdout.isEmpty)
        #expect(noReader.stderr.contains("CARD-READER-NOT-FOUND"))

        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"), fault: .bankCard)
        try await Harness.insert(simulator)
        let bank = try await Harness.cuntong("card", "read", "--json")
        try await Harness.remove(simulator)
        #expect(bank.status == 1)
        #expect(bank.stdout.isEmpty)
        #expect(bank.stderr.contains("CARD-NOT-SSSE"))
        #expect(bank.stderr.contains("not a social-security card"))

        let usage = try await Harness.cuntong("card", "read", "--timeout", "0")
        #expect(usage.status != 0)
        #expect(usage.stdout.isEmpty)
    }

    @Test("readers --json lists both virtual readers with card state and ATR")
    func readers() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("zhang-wei"))
        try await Harness.insert(simulator)
        let result = try await Harness.cuntong("readers", "--json")
        try await Harness.remove(simulator)
        #expect(result.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["reader"] as? String } == [Harness.slot0, Harness.slot1])
        #expect(rows[0]["cardPresent"] as? Bool == true)
        #expect(rows[0]["virtual"] as? Bool == true)
        #expect(rows[0]["atr"] as? String == CardholderProfile.defaultATR)
        #expect(rows[0]["protocols"] as? [Int] == [0, 1])
        #expect((rows[0]["atrDescription"] as? String)?.contains("simulated social-security card") == true)
        #expect(rows[1]["cardPresent"] as? Bool == false)
    }

    @Test("card watch --json prints the insert and the masked read as they happen")
    func watch() async throws {
        let process = Process()
        process.executableURL = Harness.binDirectory.appendingPathComponent("cuntong")
        process.arguments = ["card", "watch", "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try Harness.spawn(process)
        let lines = LineReader(out.fileHandleForReading)

        var seen: [[String: Any]] = []
        // The two readers come first, then the card.
        for _ in 0..<2 { seen.append(try json(try #require(await lines.next()))) }
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        try await simulator.insert()
        while seen.last?["event"] as? String != "cardRead", let line = await lines.next() {
            seen.append(try json(line))
        }
        await simulator.remove()
        while seen.last?["event"] as? String != "cardRemoved", let line = await lines.next() {
            seen.append(try json(line))
        }
        process.terminate()
        process.waitUntilExit()

        let events = seen.compactMap { $0["event"] as? String }
        #expect(events == ["readerAdded", "readerAdded", "cardInserted", "cardRead", "cardRemoved"])
        let card = try #require(seen[3]["card"] as? [String: Any])
        #expect(card["name"] as? String == "欧*淼")
        #expect(card["socialSecurityNumber"] as? String == "360402********106X")
    }
}
}

/// Lines from a pipe, read off the cooperative pool.
final class LineReader: Sendable {
    private let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    func next() async -> String? {
        let handle = self.handle
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else {
                        continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
                        return
                    }
                    if byte == 0x0A {
                        continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                        return
                    }
                    bytes.append(byte)
                }
            }
        }
    }
}
