import Foundation
import Settlement
import TerminalCore
import TestSupport
import Testing

/// The simulated core's faults against the settlement client. After each: no settlement is
/// lost or doubled, the journal and the core agree (3201), and the doctor is told the truth.
@Suite("Fault matrix", .timeLimit(.minutes(5)))
struct FaultMatrixTests {
    func settle(_ client: SettlementClient, _ id: String) async throws(SettlementError) -> SettlementOutcome {
        let patient = try await client.checkIn(Fixtures.idNumber(id))
        let fees: FeeList
        do { fees = try Fixtures.fees() } catch { throw .configuration("fixture: \(error)") }
        return try await client.settle(patient, fees: fees)
    }

    func agrees(_ client: SettlementClient) async throws -> Bool {
        try await client.reconcile(day: WireTime.day(Date())).allSatisfy { $0.agrees }
    }

    @Test("Answer to 2207 dropped once after the core committed: the retry under the same msgid gets the first answer; settled once")
    func dropOnce() async throws {
        try await withCore(faults: ["drop:2207"]) { core in
            let client = try core.client()
            let outcome = try await settle(client, Fixtures.ouyang)
            #expect(outcome.split.total == Money(yuan: "48.70"))
            let settle = try #require(try await client.journal.messages(limit: 20, visitId: outcome.visitId).first { $0.infno == "2207" })
            #expect(settle.attempts == 2)
            #expect(try core.totals() == (1, 4870))
            #expect(try await agrees(client))
            await client.shutdown()
        }
    }

    @Test("Every answer to 2207 lost: in doubt, reversed with 2601, reported as such; nothing charged")
    func dropAlways() async throws {
        try await withCore(faults: ["drop:2207:3"]) { core in
            let client = try core.client()
            await #expect(throws: SettlementError.settlementInDoubt(visit: 1, reversed: true)) {
                _ = try await settle(client, Fixtures.ouyang)
            }
            #expect(try await client.journal.visit(1)?.state == .reversed)
            #expect(try core.totals() == (0, 0))
            let after = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
            #expect(after.identity.primaryInsurance?.balance == Money(yuan: "1234.56"), "the account is refunded")
            let infnos = try await client.journal.messages(limit: 20, visitId: 1).reversed().map(\.infno)
            #expect(infnos.suffix(3) == ["2601", "2205", "2202"])
            #expect(try await agrees(client))
            await client.shutdown()
        }
    }

    @Test("HTTP 500 on every 2207: in doubt, 2601 finds nothing to undo, nothing charged")
    func http500() async throws {
        try await withCore(faults: ["http500:2207:3"]) { core in
            let client = try core.client()
            await #expect(throws: SettlementError.settlementInDoubt(visit: 1, reversed: true)) {
                _ = try await settle(client, Fixtures.liuYan)
            }
            #expect(try core.totals() == (0, 0))
            #expect(try await agrees(client))
            await client.shutdown()
        }
    }

    @Test("A core slower than the timeout: the late 2207 arrives after its 2601 and is refused, never charged")
    func lateAnswer() async throws {
        // Margins wide enough for a loaded CI machine: answers in time take milliseconds.
        try await withCore(faults: ["delay:6000:2207"]) { core in
            let client = try core.client(timeoutMs: 2500)
            await #expect(throws: SettlementError.settlementInDoubt(visit: 1, reversed: true)) {
                _ = try await settle(client, Fixtures.ouyang)
            }
            try await Task.sleep(for: .milliseconds(6500))  // let the delayed copies land
            #expect(try core.totals() == (0, 0))
            #expect(try await agrees(client))
            await client.shutdown()
        }
    }

    @Test("Connection reset on 2201: retried under the same msgid, one registration, settled")
    func resetRegistration() async throws {
        try await withCore(faults: ["reset:2201"]) { core in
            let client = try core.client()
            let outcome = try await settle(client, Fixtures.ouyang)
            let reg = try #require(try await client.journal.messages(limit: 20, visitId: outcome.visitId).first { $0.infno == "2201" })
            #expect(reg.attempts == 2)
            #expect(try core.totals() == (1, 4870))
            await client.shutdown()
        }
    }

    @Test("The core says the sign_no is stale: the client signs in again and resends the same msgid")
    func staleSignIn() async throws {
        try await withCore { core in
            let client = try core.client()
            _ = try await client.signNo()
            await core.setFaults("wrong-sign-no")
            let outcome = try await settle(client, Fixtures.ouyang)
            #expect(outcome.setlId.hasPrefix("S"))
            #expect(try await client.journal.messages(in: [.answered]).filter { $0.infno == "9001" }.count == 2)
            await client.shutdown()
        }
    }

    @Test("The core is down: a clear error, nothing in doubt, nothing left to resend")
    func coreDown() async throws {
        try await withCore { core in
            let client = try core.client(url: "http://127.0.0.1:9")
            do {
                _ = try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang))
                Issue.record("must fail")
            } catch let error as SettlementError {
                #expect(error.code == "CORE-UNREACHABLE")
                #expect(error.message.contains("cannot be reached"))
            }
            #expect(try await client.journal.count(in: [.inDoubt, .sending, .queued]) == 0)
            await client.shutdown()
        }
    }

    @Test("Reversal impossible during an outage: in doubt across the outage, resolved by recovery with the same 2601 msgid")
    func outageThenRecovery() async throws {
        let core = try await CoreFixture.start(faults: ["drop:2207:3", "reset:2601:0"])
        let client = try core.client()
        await #expect(throws: SettlementError.settlementInDoubt(visit: 1, reversed: false)) {
            _ = try await settle(client, Fixtures.ouyang)
        }
        #expect(try core.totals() == (1, 4870), "the core committed; the terminal does not know")

        // The link goes down entirely: recovery cannot resolve anything and says so.
        await core.halt()
        let during = try await client.recover()
        #expect(during.stillInDoubt >= 1)
        #expect(!during.isClean)

        // The link is back: the same 2601 (same msgid) reverses it; cancellations follow in order.
        let back = try await core.restart()
        let report = try await client.recover()
        #expect(report.isClean, "\(report)")
        #expect(try back.totals() == (0, 0))
        let messages = try await client.journal.messages(limit: 50, visitId: 1).reversed()
        #expect(messages.filter { $0.infno == "2601" }.count == 1, "one 冲正 message, never a second msgid")
        #expect(messages.map(\.infno).suffix(3) == ["2601", "2205", "2202"])
        #expect(messages.allSatisfy { [.answered, .reversed].contains($0.state) }, "\(messages.map { ($0.infno, $0.state) })")
        #expect(try await client.journal.visit(1)?.state == .reversed)
        #expect(try await agrees(client))
        await client.shutdown()
        await back.stop()
    }

    @Test("A settlement in doubt for more than a day is escalated, not just retried")
    func escalation() async throws {
        let core = try await CoreFixture.start(faults: ["drop:2207:3", "reset:2601:0"])
        let client = try core.client()
        await #expect(throws: SettlementError.settlementInDoubt(visit: 1, reversed: false)) {
            _ = try await settle(client, Fixtures.ouyang)
        }
        await client.shutdown()
        await core.halt()
        let later = try core.client(now: { Date().addingTimeInterval(2 * 86_400) })
        let report = try await later.recover()
        #expect(!report.isClean)
        #expect(report.escalated >= 1)
        await later.shutdown()
        await core.stop()
    }
}
