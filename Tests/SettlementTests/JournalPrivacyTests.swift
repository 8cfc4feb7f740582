import Foundation
import Settlement
import TerminalCore
import Testing
import TestSupport

/// Patient data at rest, checked as an auditor would: by the bytes of the journal's files.
@Suite("The journal keeps no person in the clear")
struct JournalPrivacyTests {
    /// Every file of the journal (database, WAL, shared memory), as bytes.
    func journalBytes(_ directory: String) throws -> Data {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("journal.sqlite") }
        #expect(files.contains("journal.sqlite"))
        return try files.reduce(into: Data()) { $0 += try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $1)) }
    }

    @Test("after check-ins and a settlement the journal's files hold no ID number, name or person number; the money is readable")
    func noPersonInTheFiles() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            _ = try await client.settle(patient, fees: try Fixtures.fees())
            _ = try await client.checkIn(Fixtures.idNumber(Fixtures.zhangWei))
            // An e-credential check-in: the platform's token and the holder it names.
            let code = Credential(kind: .medicalInsuranceQRCode, payload: "ECQR:360400:0001:7f3a9c21d4e8b6a0", source: "scanner")
            let ec = try await client.checkIn(code)
            #expect(ec.certificate.type == .ecToken)
            let directory = try core.settings(journal: "journal").stateDirectory
            let bytes = try journalBytes(directory)
            for value in [Fixtures.ouyang, Fixtures.zhangWei, "欧阳淼", "张伟", patient.identity.psnNo, ec.certificate.number,
                          "7f3a9c21d4e8b6a0"] {
                #expect(bytes.range(of: Data(value.utf8)) == nil, "\(value) is in the journal's files")
            }
            // What recovery and 3201 need stays readable: the visit's amounts and ids.
            let visit = try #require(try await client.journal.visits().first { $0.state == .settled })
            #expect(visit.medfeeSumamt == 4870)
            #expect(visit.psnNo == patient.identity.psnNo, "opened with the key")
            let totals = try await client.journal.dayTotals(day: try #require(visit.setlDay))
            #expect(totals.map(\.count).reduce(0, +) == 1)
            await client.shutdown()
        }
    }

    @Test("without the key file: a clear error names it, the money records still read, nothing is lost; back, all opens")
    func missingKey() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            _ = try await client.settle(patient, fees: try Fixtures.fees())
            await client.shutdown()
            let directory = try core.settings(journal: "journal").stateDirectory
            let keyFile = directory + "/journal.key"
            let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            try FileManager.default.moveItem(atPath: keyFile, toPath: keyFile + ".away")

            let journal = try Journal(directory: directory)
            #expect(journal.keyProblem == .missing(keyFile))
            #expect(!FileManager.default.fileExists(atPath: keyFile), "a missing key is never replaced by a new one")
            let error = await #expect(throws: SettlementError.self) { try await journal.visits() }
            #expect("\(error.map { $0.message } ?? "")".contains("journal key \(keyFile) is missing"))
            #expect(try await journal.dayTotals(day: WireTime.day(Date())).map(\.medfeeSumamt) == [4870])
            #expect(try await journal.count(in: [.answered]) >= 5)

            try FileManager.default.moveItem(atPath: keyFile + ".away", toPath: keyFile)
            let back = try Journal(directory: directory)
            #expect(try await back.visits().first?.psnNo == patient.identity.psnNo)
            #expect(try await back.messages(limit: 10).allSatisfy { !SealedJSON.isSealed($0.request) })
        }
    }

    @Test("a settlement left in doubt is resolved by recovery from the sealed journal: the same bytes go out again")
    func recoveryFromSealed() async throws {
        // Every answer to 2207 lost and the reversal refused: the settlement stays in doubt.
        let core = try await CoreFixture.start(faults: ["drop:2207:3", "reset:2601:0"])
        let client = try core.client()
        let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
        await #expect(throws: SettlementError.self) { _ = try await client.settle(patient, fees: try Fixtures.fees()) }
        #expect(try await client.journal.count(in: [.inDoubt]) >= 1)
        await client.shutdown()
        // A new process, the core answering again: only the sealed journal and its key file.
        await core.setFaults()
        let later = try core.client()
        let stored = try journalBytes(try core.settings(journal: "journal").stateDirectory)
        #expect(stored.range(of: Data(Fixtures.ouyang.utf8)) == nil)
        let report = try await later.recover()
        #expect(report.isClean, "\(report)")
        #expect(try await later.journal.visit(1)?.state == .reversed, "the lost settlement was undone (2601)")
        let messages = try await later.journal.messages(limit: 50, visitId: 1)
        let reversal = try #require(messages.first { $0.infno == "2601" })
        #expect(reversal.state == .answered)
        #expect(String(decoding: reversal.request, as: UTF8.self).contains(patient.identity.psnNo), "opened with the key")
        #expect(try core.totals() == (0, 0), "nothing charged")
        await later.shutdown()
        await core.stop()
    }

    @Test("a reconciled day is redacted: the person gone, the money and 3201 unchanged; a day not reconciled is kept")
    func redaction() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            _ = try await client.settle(patient, fees: try Fixtures.fees())
            let day = WireTime.day(Date())
            let tomorrow = WireTime.day(Date().addingTimeInterval(86_400))

            let early = try await client.journal.redact(before: tomorrow)
            #expect(early.redacted.isEmpty)
            #expect(early.kept[day] == "not reconciled (3201 平) yet")

            let totals = try await client.journal.dayTotals(day: day)
            #expect(try await client.reconcile(day: day).allSatisfy(\.agrees))
            let result = try await client.journal.redact(before: tomorrow)
            #expect(result.redacted == [day])
            #expect(try await client.journal.dayTotals(day: day) == totals, "the money records are untouched")
            #expect(try await client.reconcile(day: day).allSatisfy(\.agrees), "3201 still agrees after redaction")

            let visit = try #require(try await client.journal.visits().first { $0.state == .settled })
            #expect(visit.psnNo == "~redacted" && visit.certNo == "~redacted")
            #expect(visit.medfeeSumamt == 4870 && visit.setlId != nil)
            let messages = try await client.journal.messages(limit: 50, visitId: visit.id)
            #expect(!messages.isEmpty)
            for m in messages {
                let text = String(decoding: m.request + (m.answer ?? Data()), as: UTF8.self)
                #expect(!text.contains(Fixtures.ouyang) && !text.contains("欧阳淼") && !text.contains(patient.identity.psnNo))
                #expect(try JSONSerialization.jsonObject(with: m.request) is [String: Any])
            }
            #expect(messages.contains { String(decoding: $0.request, as: UTF8.self).contains("\"~redacted\"") })
            let settle = try #require(messages.first { $0.infno == "2207" })
            #expect(String(decoding: settle.answer ?? Data(), as: UTF8.self).contains("medfee_sumamt"))
            await client.shutdown()
        }
    }

    @Test("rotating the key: the new key opens everything, the old key file no longer does")
    func rotation() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            _ = try await client.settle(patient, fees: try Fixtures.fees())
            let directory = try core.settings(journal: "journal").stateDirectory
            let keyFile = directory + "/journal.key"
            let oldFile = try String(contentsOfFile: keyFile, encoding: .utf8)
            let rotated = try await client.journal.rotateKey(now: Date().addingTimeInterval(5))
            #expect(rotated.days == 1)
            let newFile = try String(contentsOfFile: keyFile, encoding: .utf8)
            #expect(newFile.contains(rotated.keyID) && newFile.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 1)
            #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)
            await client.shutdown()

            #expect(try await Journal(directory: directory).visits().first?.psnNo == patient.identity.psnNo)
            try oldFile.write(toFile: keyFile, atomically: false, encoding: .utf8)
            await #expect(throws: SettlementError.self) { try await Journal(directory: directory).visits() }
        }
    }

    @Test("a key file others may read is refused with a sentence that says how to fix it")
    func exposedKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cuntong-key-\(UUID().uuidString)").path
        _ = try Journal(directory: directory)
        chmod(directory + "/journal.key", 0o644)
        #expect(throws: SettlementError.self) { try Journal(directory: directory) }
        do { _ = try Journal(directory: directory) } catch {
            #expect(error.message.contains("make it 0600"))
        }
    }
}
