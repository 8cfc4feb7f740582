import CardReaders
import Testing
import TerminalCore

@Suite("Reading the SSSE application from an APDU script")
struct SocialSecurityCardReaderTests {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!

    @Test("a complete card: every element decoded, the exact APDU sequence sent")
    func completeRead() async throws {
        let transport = ScriptedTransport(SampleCard.script())
        let card = try await SocialSecurityCardReader().read(from: transport)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(card.cardIdentifier == "360400D156000005A1B2C3D4E5F60718")
        #expect(card.issuingRegion == "360400")
        #expect(card.cardType == "3")
        #expect(card.specVersion == "3.00")
        #expect(card.initializingInstitution == "360400000000000000000001")
        #expect(card.issueDate.iso == "2021-04-16")
        #expect(card.expiryDate.iso == "2031-04-16")
        #expect(card.cardNumber == "J36048231")
        #expect(card.socialSecurityNumber.value == "36040219850312106X")
        #expect(card.name == "欧阳淼")
        #expect(card.gender == "2")
        #expect(card.nation == "01")
        #expect(card.birthDate.iso == "1985-03-12")
        #expect(!card.isExpired(on: today))
        #expect(card.isExpired(on: CalendarDate(year: 2031, month: 4, day: 17)!))
        #expect(!card.isExpired(on: CalendarDate(year: 2031, month: 4, day: 16)!))
    }

    @Test("a bank card answers 6A82 to the SSSE select: not a social-security card")
    func bankCard() async {
        let transport = ScriptedTransport([(SampleCard.selectSSSE, "6A82")])
        await #expect(throws: CardReadError.notSocialSecurityCard(StatusWord(0x6A82))) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("6982 on EF06: the card needs PIN/PSAM authentication, and no partial identity comes back")
    func authenticationRequired() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF06/1": "6982"]))
        let error = await #expect(throws: CardReadError.self) {
            try await SocialSecurityCardReader().read(from: transport)
        }
        #expect(error == .authenticationRequired(file: "EF06"))
        #expect(error?.message.contains("PIN/PSAM") == true)
    }

    @Test("a name record whose length runs past the data")
    func truncatedTLV() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF06/2": "091EC5B7D1F49000"]))
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
        let transport = ScriptedTransport(SampleCard.script(override: ["EF05/3": "6F00"]))
        await #expect(throws: CardReadError.unexpectedStatus(command: "READ RECORD EF05/3", sw: StatusWord(0x6F00))) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("an ID number whose check digit is wrong is refused")
    func badCheckDigit() async {
        // ...106X changed to ...1069
        let transport = ScriptedTransport(SampleCard.script(override: [
            "EF06/1": "0812" + "333630343032313938353033313231303639" + "9000",
        ]))
        await #expect(throws: CardReadError.invalidData(element: "社会保障号码", detail: "the check digit does not match")) {
            try await SocialSecurityCardReader().read(from: transport)
        }
    }

    @Test("an impossible BCD date is refused")
    func badDate() async {
        let transport = ScriptedTransport(SampleCard.script(override: ["EF05/6": "060420310230" + "9000"]))
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
        #expect(card.name == "欧阳淼")
        #expect(transport.mismatches.isEmpty)
    }

    @Test("an optional record that is missing is left out; a required one fails the read")
    func missingRecords() async throws {
        let optional = ScriptedTransport(SampleCard.script(override: ["EF05/4": "6A83"]))
        let card = try await SocialSecurityCardReader().read(from: optional)
        #expect(card.initializingInstitution == nil)

        let required = ScriptedTransport(SampleCard.script(override: ["EF06/2": "6A83"]))
        await #expect(throws: CardReadError.invalidData(element: "姓名", detail: "record 2 is missing")) {
            try await SocialSecurityCardReader().read(from: required)
        }
    }

    @Test("the built-in profile carries DESIGN.md's table")
    func profile() {
        let profile = SSSEProfile.standard
        #expect(profile.application.aid == "7378312E73682EC9E7BBE1B1A3D5CF")
        #expect(profile.elements.count == 12)
        #expect(profile.element("name")?.tag == 0x09)
        #expect(profile.element("birthDate")?.record == 7)
        #expect(profile.element("socialSecurityNumber")?.file == "EF06")
    }
}
