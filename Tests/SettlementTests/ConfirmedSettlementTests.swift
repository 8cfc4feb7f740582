import Foundation
import HardwareSim
import Settlement
import TerminalCore
import TestSupport
import Testing

/// A settlement the core confirmed (`infcode` 0) is never undone by cuntong, however its
/// answer looks; and a province's gateway refuses what is not signed as it publishes.
@Suite("Confirmed settlements and province gateways", .serialized, .timeLimit(.minutes(5)))
struct ConfirmedSettlementTests {
    func cuntong(_ args: [String]) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(ProcessRunner.executable("cuntong"), args)
    }

    @Test("2207 confirmed with an unreadable output: settled-needs-review, no 2601, the core keeps it, 3201 shows it")
    func unreadableConfirmedSettlement() async throws {
        try await withCore(faults: ["bad-output:2207"]) { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            var visitId: Int64 = 0
            do {
                _ = try await client.settle(patient, fees: try Fixtures.fees())
                Issue.record("an unreadable settlement must not be reported as a plain success")
            } catch let SettlementError.settledNeedsReview(visit) {
                visitId = visit
            }
            let visit = try #require(try await client.journal.visit(visitId))
            #expect(visit.state == .needsReview)
            #expect(visit.note?.contains("output.setlinfo") == true, "the note names the field")
            let messages = try await client.journal.messages(limit: 50, visitId: visitId)
            #expect(!messages.contains { $0.infno == "2601" || $0.infno == "2202" || $0.infno == "2205" },
                    "nothing undoes or cancels a settlement the core confirmed")
            let settle = try #require(messages.first { $0.infno == "2207" })
            #expect(settle.state == .answered && settle.answer != nil, "the raw answer is kept")
            #expect(try core.totals().count == 1, "the core has it settled")

            // Recovery leaves it alone, and says nothing is pending.
            let report = try await client.recover()
            #expect(report.isClean && report.reversed == 0 && report.cancelled == 0)
            #expect(try await client.journal.visit(visitId)?.state == .needsReview)
            #expect(try await client.journal.visitsNeedingReview().map(\.id) == [visitId])
            // Its amounts are unknown here, so the day does not reconcile: shown, not hidden.
            let lines = try await client.reconcile(day: WireTime.day(Date()))
            #expect(lines.first { $0.insutype == "310" }?.agrees == false)
            await client.shutdown()
        }
    }

    @Test("A crash after the confirmed answer was journaled: recovery marks it settled-needs-review, never reverses")
    func recoveredUnreadableSettlement() async throws {
        try await withCore(faults: ["bad-output:2207"]) { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            var visitId: Int64 = 0
            do { _ = try await client.settle(patient, fees: try Fixtures.fees()) } catch let SettlementError.settledNeedsReview(visit) {
                visitId = visit
            }
            // As a process killed between journaling the answer and marking the visit leaves it.
            try await client.journal.updateVisit(visitId, now: Date()) { $0.state = .settling; $0.ownerPid = 999_999 }
            let report = try await client.recover()
            #expect(report.needsReview == 1 && report.reversed == 0)
            #expect(try await client.journal.visit(visitId)?.state == .needsReview)
            await #expect(!(try client.journal.messages(limit: 50, visitId: visitId)).contains { $0.infno == "2601" })
            await client.shutdown()
        }
    }

    @Test("A registration confirmed with an unreadable answer has no mdtrt_id to go on: it is undone with 2601 at once")
    func unreadableRegistration() async throws {
        try await withCore(faults: ["bad-output:2201"]) { core in
            let client = try core.client()
            let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            await #expect {
                _ = try await client.settle(patient, fees: try Fixtures.fees())
            } throws: { error in
                guard case SettlementError.unreadableOutput(let infno, _) = error else { return false }
                return infno == "2201"
            }
            let visit = try #require(try await client.journal.visits().first)
            #expect(visit.state == .reversed)
            let messages = try await client.journal.messages(limit: 50, visitId: visit.id)
            let register = try #require(messages.first { $0.infno == "2201" })
            let undo = try #require(messages.first { $0.infno == "2601" })
            #expect(undo.reversesMsgid == register.msgid && undo.state == .answered)
            #expect(!messages.contains { $0.infno == "2207" }, "nothing was settled")
            #expect(try await client.recover().isClean)
            await client.shutdown()
        }
    }

    @Test("cuntong settle exits 4 and says not to settle again; journal list and doctor show it")
    func needsReviewInTheCLI() async throws {
        try await withCore(faults: ["bad-output:2207"]) { core in
            let config = try core.configFile()
            let r = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.ouyang, "--fees", Fixtures.feesFile()])
            #expect(r.status == 4, "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains("CONFIRMED") && r.stderr.contains("Do not settle this visit again"))
            #expect(r.stderr.contains("[SETTLE-NEEDS-REVIEW]"))
            let list = try await cuntong(["journal", "list", "--config", config])
            #expect(list.stdout.contains("settled-needs-review"))
            #expect(list.stdout.contains("never reversed"))
            let doctor = try await cuntong(["doctor", "--config", config])
            #expect(doctor.stdout.contains("WARN  settlements needing review"), "\(doctor.stdout)")
            #expect(doctor.stdout.contains("PASS  core profile") && doctor.stdout.contains("national"))
        }
    }

    @Test("cuntong settle, reconcile and journal recover work in every shipped profile", arguments: CoreProfile.builtInNames)
    func commandsInEveryProfile(profile: String) async throws {
        let scratch = NSTemporaryDirectory() + "cuntong-gw-\(UUID().uuidString.prefix(8))"
        let credentialsFile = try GatewayFixture.write(in: scratch)
        let core = try await CoreFixture.start(faults: ["drop:2207"],
                                               profile: try SimProfile.load(profile, credentialsFile: credentialsFile))
        let config = try core.configFile(core: "profile = \"\(profile)\"\ncredentials_file = \"\(credentialsFile)\"")
        // The first answer to 2207 is lost after the core committed: the retry under the
        // same msgid gets the first answer, through the profile's path and signature.
        let settle = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.zhangWei,
                                        "--fees", Fixtures.feesFile(), "--json"])
        #expect(settle.status == 0, "\(profile): \(settle.stderr)")
        #expect(settle.stdout.contains("\"setlId\""))
        let recover = try await cuntong(["journal", "recover", "--config", config, "--json"])
        #expect(recover.status == 0, "\(profile): \(recover.stderr)")
        let reconcile = try await cuntong(["reconcile", "--config", config])
        #expect(reconcile.status == 0, "\(profile): \(reconcile.stdout) \(reconcile.stderr)")
        #expect(reconcile.stdout.contains("310  清算 11/360102  1 settlement(s)") && reconcile.stdout.contains("平 agrees"))
        let doctor = try await cuntong(["doctor", "--config", config])
        let profileLine = try Regex("PASS  core profile +\(profile) [(]")
        #expect(doctor.stdout.contains(profileLine), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains("T0k3n") && !doctor.stdout.contains("S3cret"), "secrets are never printed")
        await core.stop()
    }

    @Test("A province gateway refuses a wrong secret in words; nothing is in doubt", arguments: ["guangdong", "zhejiang"])
    func gatewayRefusesAWrongSecret(profile: String) async throws {
        let scratch = NSTemporaryDirectory() + "cuntong-gw-\(UUID().uuidString.prefix(8))"
        let credentialsFile = try GatewayFixture.write(in: scratch)
        let core = try await CoreFixture.start(profile: try SimProfile.load(profile, credentialsFile: credentialsFile))
        let wrong = GatewayCredentials(paasid: "cuntong_test", token: "not-the-token", appKey: "H36040200017", appSecret: "not-the-secret")
        let client = try core.client(profile: try CoreProfile.load(profile), credentials: wrong)
        await #expect {
            _ = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
        } throws: { error in
            guard case SettlementError.refused(let infno, _, let reason) = error else { return false }
            return infno == "9001" && reason.contains("网关鉴权失败")
        }
        #expect(try await client.journal.count(in: [.inDoubt, .sending]) == 0)
        await client.shutdown()
        await core.stop()
    }
}
