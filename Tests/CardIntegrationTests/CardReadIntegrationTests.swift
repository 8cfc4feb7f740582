import CardReaders
import Foundation
import HardwareSim
import Testing
import TerminalCore

extension RealStack {
@Suite("Card reads on pcscd + vpcd")
struct CardReads {
    init() async throws {
        try await Harness.pcscdUp()
    }

    @Test("every cardholder in hardware-sim/cards reads back exactly as its file says",
          arguments: Harness.holderNames.filter { $0 != "li-na-pin" })
    func readsHolder(name: String) async throws {
        let holder = try Harness.holder(name)
        let simulator = CardSimulator(holder: holder)
        // A 3.0 card with RKSSSE shows its person only to a terminal with the PSAM.
        let psam = holder.rkssse == nil ? nil : CardSimulator(psamHost: "127.0.0.1", port: CardSimulator.port(slot: 1))
        if let psam { try await Harness.insert(psam) }
        let applications = psam == nil ? CardApplications.standard() : .standard(keyHolder: ThirdGeneration.psam())
        try await Harness.insert(simulator)
        let result: CardReadResult
        do {
            result = try await CardSession.read(reader: Harness.slot0, applications: applications)
        } catch {
            try await Harness.remove(simulator)
            if let psam { try await Harness.remove(psam) }
            throw error
        }
        try await Harness.remove(simulator)
        if let psam { try await Harness.remove(psam) }

        let e = holder.elements
        #expect(result.reader == Harness.slot0)
        #expect(Hex.string(result.atr) == holder.atr ?? CardholderProfile.defaultATR)
        #expect(result.card.cardIdentifier == e["cardIdentifier"])
        #expect(result.card.issuingRegion == String(e["cardIdentifier"]!.prefix(6)))
        #expect(result.card.cardNumber == e["cardNumber"])
        #expect(result.card.holder?.socialSecurityNumber.value == e["socialSecurityNumber"])
        #expect(result.card.holder?.name == e["name"])
        #expect(result.card.holder?.gender == e["gender"])
        #expect(result.card.holder?.nation == e["nation"])
        #expect(result.card.holder?.birthDate.iso == e["birthDate"])
        #expect(result.card.holder?.birthplace == e["birthplace"])
        #expect(result.card.issueDate?.iso == e["issueDate"])
        #expect(result.card.expiryDate?.iso == e["expiryDate"])
        #expect(result.card.specVersion == e["specVersion"])
        let expired = CalendarDate(e["expiryDate"]!)! < CalendarDate.today()
        #expect(result.expired == expired)
    }

    @Test("each fault mode gives its own clear error and never a partial identity", arguments: [
        ("bank", CardReadError.notSocialSecurityCard(StatusWord(0x6A82))),
        ("mute", CardReadError.cardMute),
        ("pull-after:1", CardReadError.cardRemoved),
        ("pull-after:4", CardReadError.cardRemoved),
        ("pull-after:11", CardReadError.cardRemoved),
        ("wrong-sw:6F00", CardReadError.unexpectedStatus(command: "READ RECORD EF05/01", sw: StatusWord(0x6F00))),
        ("wrong-sw:6982", CardReadError.authenticationRequired(file: "EF05")),
        ("tlv-short", CardReadError.malformedRecord(element: "姓名", detail: "length 35 runs past the 27 bytes present")),
    ])
    func fault(spec: String, expected: CardReadError) async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"), fault: CardFault(parsing: spec)!)
        try await Harness.insert(simulator)
        let error = await #expect(throws: CardReadError.self) {
            try await CardSession.read(reader: Harness.slot0, apduTimeout: .seconds(1))
        }
        #expect(error == expected)
        try await Harness.remove(simulator)
    }

    @Test("a card whose EF06 answers 6982 (a PIN here): the card is identified, the person left out whole")
    func pinProtected() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("li-na-pin"))
        try await Harness.insert(simulator)
        let result = await Result { () async throws(CardReadError) in try await CardSession.read(reader: Harness.slot0) }
        try await Harness.remove(simulator)
        let card = try result.get().card
        #expect(card.holder == nil)
        #expect(card.cardNumber == "J36120456")
        #expect(card.access == .locked(.authenticationRequired(file: "SSSE")))
    }

    @Test("the reader monitor reports both virtual readers, then insert and removal with the ATR")
    func monitor() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("zhang-wei"))
        var events = ReaderMonitor().events().makeAsyncIterator()
        #expect(await events.next() == .readerAdded(Harness.slot0))
        #expect(await events.next() == .readerAdded(Harness.slot1))
        try await simulator.insert()
        #expect(await events.next() == .cardInserted(reader: Harness.slot0, atr: Hex.bytes(CardholderProfile.defaultATR)!))
        await simulator.remove()
        #expect(await events.next() == .cardRemoved(reader: Harness.slot0))
        try await Harness.waitForCard(present: false)
    }

    @Test("the second slot works independently of the first")
    func secondSlot() async throws {
        let first = CardSimulator(holder: try Harness.holder("zhang-wei"), port: CardSimulator.port(slot: 0))
        let second = CardSimulator(holder: try Harness.holder("ouyang-miao"), port: CardSimulator.port(slot: 1))
        try await Harness.insert(first)
        try await Harness.insert(second)
        let a = try await CardSession.read(reader: Harness.slot0)
        let b = try await CardSession.read(reader: Harness.slot1)
        try await Harness.remove(first)
        try await Harness.remove(second)
        #expect(a.card.holder?.name == "张伟")
        #expect(b.card.holder?.name == "欧阳淼")
    }

    @Test("50 insert/remove cycles with a read each leak no file descriptors")
    func cycles() async throws {
        let simulator = CardSimulator(holder: try Harness.holder("ouyang-miao"))
        // One warm-up cycle: the event loop and pcsc-lite open their descriptors once.
        try await Harness.insert(simulator)
        _ = try await CardSession.read(reader: Harness.slot0)
        try await Harness.remove(simulator)

        let before = Harness.openFileDescriptors()
        var names: [String] = []
        for _ in 0..<50 {
            try await Harness.insert(simulator)
            names.append(try await CardSession.read(reader: Harness.slot0).card.holder?.name ?? "-")
            try await Harness.remove(simulator)
        }
        let after = Harness.openFileDescriptors()
        #expect(names.count == 50)
        #expect(Set(names) == ["欧阳淼"])
        // A handle leaked per read would add 50 or more. The test process runs other suites
        // beside this one, whose simulated cores, journals and connections come and go
        // meanwhile (their files are left out; a run saw 11 such descriptors): that is not
        // a leak of the card reads.
        let added = after.subtracting(before).filter { !$0.contains("/cuntong-test-") }
        #expect(added.count < 25, "descriptors opened during 50 cycles and still open: \(added.sorted())")
        #expect(await simulator.status.insertions == 51)
    }
}
}
