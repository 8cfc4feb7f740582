import CardReaders
import CheckinDesk
import Synchronization
import Testing

/// The card watcher's rules over a scripted event source and read, without pcscd: which
/// inserted cards are read, which are not, and what the daemon is told. (The same watcher on
/// the real stack: Tests/CardIntegrationTests/CardWatcherTests.swift.)
@Suite("Card watcher rules")
struct CardWatcherRulesTests {
    struct Script: ReaderEventSource {
        let script: [ReaderEvent]
        func events() -> AsyncStream<ReaderEvent> {
            AsyncStream { continuation in
                for event in script { continuation.yield(event) }
                continuation.finish()
            }
        }
    }

    static let clinic = "ACS ACR39U ICC Reader 00 00"
    static let sam = "ACS ACR39U ICC Reader 00 01"
    static let virtual = "Virtual PCD 00 00"

    /// Every event the watcher reports for `script`, and the readers it tried to read.
    func watch(_ script: [ReaderEvent], allowVirtual: Bool) async -> (events: [CardWatchEvent], reads: [String]) {
        let reads = Mutex<[String]>([])
        let watcher = CardWatcher(allowVirtualReaders: allowVirtual, reservedReaders: [Self.sam]) { reader, _, _ throws(CardReadError) in
            reads.withLock { $0.append(reader) }
            throw CardReadError.cardRemoved
        }
        var seen: [CardWatchEvent] = []
        for await event in watcher.events(monitor: Script(script: script)) { seen.append(event) }
        return (seen, reads.withLock { $0 })
    }

    @Test("A card in the clinic's reader is read once per insertion; a failed read is reported with its error")
    func readsEachInsertion() async {
        let script: [ReaderEvent] = [.readerAdded(Self.clinic), .cardInserted(reader: Self.clinic, atr: [0x3B]),
                                     .cardRemoved(reader: Self.clinic), .cardInserted(reader: Self.clinic, atr: [0x3B])]
        let (events, reads) = await watch(script, allowVirtual: false)
        #expect(reads == [Self.clinic, Self.clinic])
        #expect(events == [.reader(script[0]), .reader(script[1]), .readFailed(reader: Self.clinic, error: .cardRemoved),
                           .reader(script[2]), .reader(script[3]), .readFailed(reader: Self.clinic, error: .cardRemoved)])
    }

    @Test("The PSAM's slot is never read as a patient's card; a virtual reader only when allowed")
    func reservedAndVirtual() async {
        let script: [ReaderEvent] = [.cardInserted(reader: Self.sam, atr: [0x3B]), .cardInserted(reader: Self.virtual, atr: [0x3B])]
        let refused = await watch(script, allowVirtual: false)
        #expect(refused.reads.isEmpty)
        #expect(refused.events == [.reader(script[0]), .reader(script[1]), .virtualReaderIgnored(reader: Self.virtual)])
        let allowed = await watch(script, allowVirtual: true)
        #expect(allowed.reads == [Self.virtual])
    }
}
