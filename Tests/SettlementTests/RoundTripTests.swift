import Foundation
import Settlement
import TerminalCore
import TestSupport
import Testing

@Suite("Transactions against the simulated city core", .timeLimit(.minutes(5)))
struct RoundTripTests {
    @Test("9001 signs in once a day; 9002 signs out and the next message signs in again")
    func signInAndOut() async throws {
        try await withCore { core in
            let client = try core.client()
            let first = try await client.signNo()
            #expect(first.hasPrefix("SN"))
            #expect(try await client.signNo() == first, "the day's sign_no is kept, not renewed per message")
            try await client.signOut()
            _ = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            let second = try await client.signNo()
            #expect(second != first)
            let signIns = try await client.journal.messages(in: [.answered]).filter { $0.infno == "9001" }
            #expect(signIns.count == 2)
            await client.shutdown()
        }
    }

    @Test("1101 by ID number: name, insurance, balance, family sharing")
    func personByIDNumber() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            #expect(patient.identity.name == "欧阳淼")
            #expect(patient.identity.psnNo == "36040000000000000001")
            let insurance = try #require(patient.identity.primaryInsurance)
            #expect(insurance.type == "310")
            #expect(insurance.balance == Money(yuan: "1234.56"))
            #expect(insurance.crossRegion == false)
            #expect(patient.identity.familyAccountSharing)
            #expect(patient.certificate == Certificate(type: .idNumber, number: Fixtures.ouyang))
            await client.shutdown()
        }
    }

    @Test("1101 flags a patient insured in another city as cross-region, and shows medical-aid identities")
    func crossRegionAndAid() async throws {
        try await withCore { core in
            let client = try core.client()
            let zhang = try await client.checkIn(Fixtures.idNumber(Fixtures.zhangWei))
            #expect(zhang.identity.primaryInsurance?.crossRegion == true)
            #expect(zhang.identity.primaryInsurance?.region == "360102")
            let liu = try await client.checkIn(Fixtures.idNumber(Fixtures.liuYan))
            #expect(liu.identity.primaryInsurance?.crossRegion == false)
            #expect(liu.identity.identities.map(\.memo) == ["医疗救助第二类：低保对象"])
            await client.shutdown()
        }
    }

    @Test("1101 by social-security card: card number and card_sn must match")
    func personByCard() async throws {
        try await withCore { core in
            let client = try core.client()
            let card = Credential(kind: .socialSecurityCard, payload: "F00913572",
                                  attributes: ["cardIdentifier": "360100D15600000588776655443322AA",
                                               "socialSecurityNumber": Fixtures.zhangWei], source: "Virtual PCD 00 00")
            let patient = try await client.checkIn(card)
            #expect(patient.identity.name == "张伟")
            #expect(patient.certificate.type == .socialSecurityCard)
            #expect(patient.certificate.cardSN == "360100D15600000588776655443322AA")

            let forged = Credential(kind: .socialSecurityCard, payload: "F00913572",
                                    attributes: ["cardIdentifier": "360100D15600000500000000000000AA"], source: "test")
            await #expect(throws: SettlementError.refused(infno: "1101", infcode: -1, reason: "社会保障卡卡号与卡识别码不符")) {
                _ = try await client.checkIn(forged)
            }
            await client.shutdown()
        }
    }

    @Test("A QR code is resolved by the core into a token (01) once; a reused or unknown code is refused")
    func qrCode() async throws {
        try await withCore { core in
            let client = try core.client()
            let code = Credential(kind: .medicalInsuranceQRCode, payload: "ECQR:360400:0001:7f3a9c21d4e8b6a0", source: "scanner")
            let patient = try await client.checkIn(code)
            #expect(patient.identity.name == "欧阳淼")
            #expect(patient.certificate.type == .ecToken)
            #expect(patient.certificate.number.count == 38 && patient.certificate.number.hasPrefix("360000ec"))
            do {
                _ = try await client.checkIn(code)
                Issue.record("a used code must be refused")
            } catch let error as SettlementError {
                #expect(error.code == "EC-REFUSED")
                #expect(error.message.contains("已使用"))
            }
            do {
                _ = try await client.checkIn(Credential(kind: .medicalInsuranceQRCode, payload: "https://example.com/x", source: "scanner"))
                Issue.record("an unknown code must be refused")
            } catch let error as SettlementError {
                #expect(error.code == "EC-REFUSED")
            }
            await client.shutdown()
        }
    }

    @Test("A face is confirmed with the platform (cn.nhsa.ec.auth → authNo → cn.nhsa.auth.check) and 1101 goes by ID number (02)")
    func faceToken() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Credential(kind: .faceAuthToken, payload: "FACE-WX-0001", source: "face"))
            #expect(patient.identity.name == "王秀英")
            #expect(patient.certificate == Certificate(type: .idNumber, number: Fixtures.wangXiuying))
            #expect(patient.identity.identities.first?.memo == "医疗救助第一类：特困人员")
            // A face result is good once; one the platform does not know is refused in its words.
            for used in ["FACE-WX-0001", "FACE-NOBODY"] {
                await #expect {
                    _ = try await client.checkIn(Credential(kind: .faceAuthToken, payload: used, source: "face"))
                } throws: { error in
                    guard case SettlementError.codeRefused(let reason) = error else { return false }
                    return reason.contains("cn.nhsa.ec.auth code -1") && (reason.contains("已使用") || reason.contains("未通过"))
                }
            }
            #expect(try await client.journal.messages(limit: 10).filter { $0.infno == "1101" }.count == 1, "1101 only once confirmed")
            await client.shutdown()
        }
    }

    @Test("Settle: 2201 → 2203 → 2204 → 2206 → 2207; the split is the core's, quoted to the fen")
    func settle() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            let outcome = try await client.settle(patient, fees: try Fixtures.fees())
            // Hand-computed from the policy: 48.70 total; 34.28 in scope × 65 % = 22.28.
            #expect(outcome.split.total == Money(yuan: "48.70"))
            #expect(outcome.split.basicFund == Money(yuan: "22.28"))
            #expect(outcome.split.personalAccount == Money(yuan: "26.42"))
            #expect(outcome.split.cash == .zero)
            #expect(outcome.split.balanceAfter == Money(yuan: "1208.14"))
            #expect(outcome.setlId.hasPrefix("S"))
            let infnos = try await client.journal.messages(limit: 50, visitId: outcome.visitId).reversed().map(\.infno)
            #expect(infnos == ["2201", "2203", "2204", "2206", "2207"])
            let visit = try #require(try await client.journal.visit(outcome.visitId))
            #expect(visit.state == .settled)
            #expect(visit.medfeeSumamt == 4870)
            #expect(try core.totals() == (1, 4870))
            // The balance the core reports next time is the one after settlement.
            let again = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            #expect(again.identity.primaryInsurance?.balance == Money(yuan: "1208.14"))
            await client.shutdown()
        }
    }

    @Test("2208 reverses a settlement: the core refunds the account; 3201 agrees afterwards")
    func reverse() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            let outcome = try await client.settle(patient, fees: try Fixtures.fees())
            try await client.reverseSettlement(visitId: outcome.visitId)
            #expect(try await client.journal.visit(outcome.visitId)?.state == .reversed)
            #expect(try core.totals() == (0, 0))
            let after = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            #expect(after.identity.primaryInsurance?.balance == Money(yuan: "1234.56"))
            let lines = try await client.reconcile(day: WireTime.day(Date()))
            #expect(lines.allSatisfy { $0.agrees }, "\(lines)")
            let infnos = try await client.journal.messages(limit: 50, visitId: outcome.visitId).reversed().map(\.infno)
            #expect(infnos.suffix(3) == ["2208", "2205", "2202"])
            await client.shutdown()
        }
    }

    @Test("A suspended insurance is refused at registration and the visit is closed")
    func pausedInsurance() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.paused))
            #expect(patient.identity.primaryInsurance?.status == "2")
            do {
                _ = try await client.settle(patient, fees: try Fixtures.fees())
                Issue.record("registration must be refused")
            } catch let error as SettlementError {
                #expect(error.code == "CORE-REFUSED")
                #expect(error.message.contains("暂停参保"))
            }
            #expect(try await client.journal.visits().first?.state == .cancelled)
            #expect(try core.totals() == (0, 0))
            await #expect(throws: SettlementError.notAllowed("visit 1 is cancelled, not settled")) {
                try await client.reverseSettlement(visitId: 1)
            }
            await client.shutdown()
        }
    }

    @Test("3201 agrees with the core after settlements, and reports a settlement the journal does not know")
    func reconcile() async throws {
        try await withCore { core in
            let client = try core.client()
            for id in [Fixtures.ouyang, Fixtures.liuYan] {
                _ = try await client.settle(try await client.checkIn(Fixtures.idNumber(id)), fees: try Fixtures.fees())
            }
            // A cross-region patient's settlement is cleared by his own division: a line of its own.
            _ = try await client.settle(try await client.checkIn(Fixtures.idNumber(Fixtures.zhangWei)), fees: try Fixtures.fees())
            let today = WireTime.day(Date())
            let lines = try await client.reconcile(day: today)
            #expect(lines.map { "\($0.insutype)/\($0.clrType)/\($0.setlOptins)" } == ["310/11/360102", "310/11/360402", "390/11/360402"])
            #expect(lines.allSatisfy { $0.agrees })
            #expect(lines.map(\.count) == [1, 1, 1])

            // Another terminal of the same clinic settles with a journal of its own: this
            // journal's totals no longer match the core's, and that is reported. (msgids are
            // unique per journal and second, so the two journals keep to different seconds.)
            try await Task.sleep(for: .milliseconds(1100))
            let other = try core.client(journal: "other")
            _ = try await other.settle(try await other.checkIn(Fixtures.idNumber(Fixtures.liuYan)), fees: try Fixtures.fees())
            try await Task.sleep(for: .milliseconds(1100))
            let after = try await client.reconcile(day: today)
            #expect(after.first { $0.insutype == "390" }?.agrees == false)
            #expect(after.first { $0.insutype == "390" }?.detail.contains("对账不平") == true)
            await other.shutdown()
            await client.shutdown()
        }
    }

    @Test("The core answers a repeated msgid with its first answer and never acts twice")
    func idempotentCore() async throws {
        try await withCore { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            let outcome = try await client.settle(patient, fees: try Fixtures.fees())
            let settle = try #require(try await client.journal.messages(limit: 50, visitId: outcome.visitId).first { $0.infno == "2207" })
            let replay = core.simulator.handle(settle.request)
            #expect(replay.fromCache)
            #expect(replay.answer == settle.answer)
            #expect(try core.totals() == (1, 4870))
            await client.shutdown()
        }
    }
}
