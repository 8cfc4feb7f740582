import CardReaders
import CheckinDesk
import HardwareSim
import Testing

extension RealStack {
@Suite("Card watcher (what the daemon runs)")
struct Watcher {
    init() async throws {
        try await Harness.pcscdUp()
    }

    /// Collects watcher events until one matches `stop`.
    func events(_ watcher: CardWatcher, until stop: (CardWatchEvent) -> Bool, while act: () async throws -> Void) async throws -> [CardWatchEvent] {
        var iterator = watcher.events().makeAsyncIterator()
        var seen: [CardWatchEvent] = []
        // The two virtual readers are announced first.
        for _ in 0..<2 { if let e = await iterator.next() { seen.append(e) } }
        try await act()
        while let event = await iterator.next() {
            seen.append(event)
            if stop(event) { break }
        }
        return seen
    }

    /// What the watcher did with an inserted card: read it, failed, or ignored it.
    static func outcome(_ event: CardWatchEvent) -> Bool {
        switch event {
        case .cardRead, .readFailed, .virtualReaderIgnored: true
        case .reader: false
        }
    }

    @Test("outside simulator mode a card in a virtual reader is ignored, never read")
    func virtualIgnored() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        let seen = try await events(CardWatcher(allowVirtualReaders: false), until: Self.outcome,
                                    while: { try await simulator.insert() })
        let commands = await simulator.status.commands
        try await Harness.remove(simulator)
        #expect(seen.last == .virtualReaderIgnored(reader: Harness.slot0))
        #expect(commands == 0, "the card was sent \(commands) APDUs")
    }

    @Test("in simulator mode the inserted card is read and reported whole")
    func simulatorRead() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        let seen = try await events(CardWatcher(allowVirtualReaders: true), until: Self.outcome,
                                    while: { try await simulator.insert() })
        try await Harness.remove(simulator)
        guard case .cardRead(let result) = seen.last else {
            Issue.record("no card read: \(seen)")
            return
        }
        #expect(result.card.holder?.name == "欧阳淼")
        #expect(result.card.credential(source: result.reader).kind == .socialSecurityCard)
        #expect(result.card.credential(source: result.reader).attributes["cardIdentifier"] == "360400D156000005A1B2C3D4E5F60718")
    }
}
}
