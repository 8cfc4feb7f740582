import CardReaders
import Testing
import TerminalCore

@Suite("Reading the SSSE application from an APDU script")
struct SocialSecurityCardReaderTests {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!

    @Test("a complete card: every element decoded, each record read by its identifier")
    func completeRead() async throws {
        let transport = ScriptedTransport(SampleCard.script())
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(transport.sent.contains("00B2080014") && transport.sent.contains("00B2090020") && transport.sent.contains("00B24E0016"))
        #expect(card.cardIdentifier == "360400D156000005A1B2C3D4E5F60718")
        #expect(card.issuingRegion == "360400")
        #expect(card.cardType == "3")
        #expect(card.specVersion == "3.00")
        #expect(card.initializingInstitution == "360400000000000000000001")
        #expect(card.issueDate?.iso == "2021-04-16")
        #expect(card.expiryDate?.iso == "2031-04-16")
        #expect(card.cardNumber == "J36048231")
        #expect(card.access == .open)
        let holder = try #require(card.holder)
        #expect(holder.socialSecurityNumber.value == "36040219850312106X")
        #expect(holder.name == "欧阳淼")
        #expect(holder.gender == "2")
        #expect(holder.nation == "01")
        #expect(holder.birthplace == "360402")
        #expect(holder.birthDate.iso == "1985-03-12")
        #expect(!card.isExpired(on: today))
        #expect(card.isExpired(on: CalendarDate(year: 2031, month: 4, day: 17)!))
        #expect(!card.isExpired(on: CalendarDate(year: 2031, month: 4, day: 16)!))
    }

    @Test("a card that refuses record identifiers (6A86) is read by record number from then on")
    func byNumberFallback() async throws {
        var steps: [(String, String)] = [(SampleCard.selectSSSE, "9000"), (SampleCard.selectEF05, "9000"),
                                         (SampleCard.readTag(0x01, 0x12), "6A86")]
        for e in SampleCard.ef05 { steps.append((SampleCard.readRecord(e.record), e.tlv + "9000")) }
        steps.append((SampleCard.selectEF06, "9000"))
        for e in SampleCard.ef06 { steps.append((SampleCard.readRecord(e.record), e.tlv + "9000")) }
        let transport = ScriptedTransport(steps)
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(card.holder?.name == "欧阳淼")
    }

    @Test("a name longer than 30 GBK bytes continues in tag 4E and comes back whole")
    func nameExtension() async throws {
        let name = "阿卜杜热合曼·买买提明·艾合买提江"   // 17 characters, 34 GBK bytes
        let bytes = try #require(GBK.encode(name))
        #expect(bytes.count == 34)
        let card = try await readName(bytes)
        #expect(card.holder?.name == name)
    }

    @Test("a character split between tag 09 and tag 4E is joined, never cut")
    func splitCharacter() async throws {
        let name = "A阿卜杜热合曼买买提明艾合买提江"   // 1 + 15 × 2 bytes: the 15th character straddles byte 30
        let bytes = try #require(GBK.encode(name))
        #expect(bytes.count == 31)
        let card = try await readName(bytes)
        #expect(card.holder?.name == name)
    }

    @Test("a second-generation card without 4E, its name filling tag 09: whole characters only")
    func noExtensionRecord() async throws {
        let bytes = try #require(GBK.encode("A阿卜杜热合曼买买提明艾合买提江"))
        let transport = ScriptedTransport(SampleCard.script(override: [
            "EF06/09": "091E" + Hex.string(bytes.prefix(30)) + "9000",
            "EF06/4E": "6A83",
        ]).flatMap { step in
            // No record 4E by identifier, none by number either.
            step.0 == SampleCard.readTag(0x4E, 0x16) ? [step, (SampleCard.readRecord(3), "6A83")] : [step]
        })
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        #expect(card.holder?.name == "A阿卜杜热合曼买买提明艾合买提")
    }

    @Test("only the first 9 characters of the card-number record are the card number")
    func cardNumberFirstNine() async throws {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF05/07": "070C" + "4A3336303438323331303030" + "9000"]))
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(card.cardNumber == "J36048231")
    }

    @Test("a bank card answers 6A82 to the SSSE select: not a social-security card")
    func bankCard() async {
        let transport = ScriptedTransport([(SampleCard.selectSSSE, "6A82")])
        await #expect(throws: CardReadError.notSocialSecurityCard(StatusWord(0x6A82))) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("6982 on EF06 without a key holder: the card is read, the person is left out whole, and the reason says why")
    func lockedWithoutKeys() async throws {
        let steps = SampleCard.script(override: ["EF06/08": "6982"])
        let upToLock = Array(steps.prefix { $0.0 != SampleCard.readTag(0x09, 0x20) })
        let transport = ScriptedTransport(upToLock)
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(card.holder == nil)
        #expect(card.cardNumber == "J36048231")
        #expect(card.cardIdentifier == "360400D156000005A1B2C3D4E5F60718")
        #expect(card.access == .locked(.authenticationRequired(file: "SSSE")))
        #expect(card.credential(source: "r").attributes["socialSecurityNumber"] == nil)
        #expect(card.credential(source: "r").payload == "J36048231")
    }

    @Test("a name record whose length runs past the data")
    func truncatedTLV() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF06/09": "091EC5B7D1F49000"]))
        await #expect(throws: CardReadError.malformedRecord(element: "姓名", detail: "length 30 runs past the 4 bytes present")) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("card pulled between two APDUs")
    func pulled() async {
        let steps = Array(SampleCard.script().prefix(5))
        let transport = ScriptedTransport(steps, thenFail: .cardRemoved)
        await #expect(throws: CardReadError.cardRemoved) {
            try await SocialSecurityCardReader().read(from: transport)
        }
        #expect(transport.sent.count == 6)
    }

    @Test("an unexpected status word names the command")
    func wrongStatus() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF05/03": "6F00"]))
        await #expect(throws: CardReadError.unexpectedStatus(command: "READ RECORD EF05/03", sw: StatusWord(0x6F00))) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("an ID number whose check digit is wrong is refused")
    func badCheckDigit() async {
        // ...106X changed to ...1069
        let transport = ScriptedTransport(SampleCard.script(override: [
            "EF06/08": "0812" + "333630343032313938353033313231303639" + "9000",
        ]))
        await #expect(throws: CardReadError.invalidData(element: "社会保障号码", detail: "the check digit does not match")) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("an impossible BCD date is refused")
    func badDate() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF05/06": "060420310230" + "9000"]))
        await #expect(throws: CardReadError.invalidData(element: "卡有效期", detail: "it is not a valid YYYYMMDD date")) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("a card that only takes P1=02 for its EFs is read after the first select is refused")
    func selectFallback() async throws {
        var script = SampleCard.script()
        script.insert(("00A4020002EF05", "9000"), at: 2)
        script[1].1 = "6A86"
        let index = script.firstIndex { $0.0 == SampleCard.selectEF06 }!
        script[index].1 = "6A86"
        script.insert(("00A4020002EF06", "9000"), at: index + 1)
        let transport = ScriptedTransport(script)
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(card.holder?.name == "欧阳淼")
        #expect(transport.mismatches.isEmpty)
    }

    @Test("an optional record that is missing is left out; a required one fails the read")
    func missingRecords() async throws {
        let optional = ScriptedTransport(SampleCard.script(override: ["EF05/04": "6A83"]).flatMap { step in
            step.0 == SampleCard.readTag(0x04, 0x0E) ? [step, (SampleCard.readRecord(4), "6A83")] : [step]
        })
        let card = try await SocialSecurityCardReader().read(from: optional)
        #expect(optional.mismatches.isEmpty)
        #expect(card.initializingInstitution == nil)

        let required = ScriptedTransport(SampleCard.script(override: ["EF06/09": "6A83"]).flatMap { step in
            step.0 == SampleCard.readTag(0x09, 0x20) ? [step, (SampleCard.readRecord(2), "6A83")] : [step]
        })
        await #expect(throws: CardReadError.invalidData(element: "姓名", detail: "record 09 is missing")) {
            try await SocialSecurityCardReader().read(from: required)
        }
    }

    @Test("the built-in profile carries DESIGN.md's table")
    func profile() {
        let profile = SSSEProfile.standard
        #expect(profile.application.aid == "7378312E73682EC9E7BBE1B1A3D5CF")
        #expect(profile.elements.count == 14)
        #expect(profile.element("name")?.tag == 0x09)
        #expect(profile.element("nameExtension")?.tag == 0x4E)
        #expect(profile.element("birthplace")?.tag == 0x0C)
        #expect(profile.element("birthDate")?.record == 7)
        #expect(profile.element("socialSecurityNumber")?.file == "EF06")
    }

    private func readName(_ bytes: [UInt8]) async throws -> SocialSecurityCard {
        let first = Array(bytes.prefix(30)) + [UInt8](repeating: 0, count: max(0, 30 - bytes.count))
        let rest = Array(bytes.dropFirst(30)) + [UInt8](repeating: 0, count: 20 - max(0, bytes.count - 30))
        let transport = ScriptedTransport(SampleCard.script(override: [
            "EF06/09": "091E" + Hex.string(first) + "9000",
            "EF06/4E": "4E14" + Hex.string(rest) + "9000",
        ]))
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        return card
    }
}
