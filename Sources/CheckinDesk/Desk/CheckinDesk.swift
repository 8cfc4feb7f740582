import Catalogue
import FaceTerminal
import Foundation
import Logging
import Settlement
import TerminalCore

/// The front desk of the terminal: waits for whatever the patient presents (card, code,
/// face), has the core confirm who it is, and keeps check-ins and visits in progress between
/// the API's requests. Devices report here; the API asks here.
package actor CheckinDesk {
    enum WaitOutcome: Sendable {
        case credential(Credential)
        case cancelled
        case timeout
    }
    struct Session {
        var visit: VisitInProgress
        let checkinId: String
        var touched: Date
        /// What the catalogue says of each uploaded fee row (level, 先自付, cap).
        var feeRows: [FeeRowInfo] = []
    }

    let box: ClientBox
    let hub: EventHub
    let state: TerminalState
    /// The city-core link, told of every outcome.
    let link: CoreLink
    let face: FaceLink?
    let logger: Logger
    /// A visit nobody has touched for this long is cancelled at the core.
    let visitIdleLimit: TimeInterval
    /// Fee rows are checked against the catalogue and mapped before 2204 (a no-op with no catalogue).
    package nonisolated let feeCheck: FeeCheck
    let checkinLifetime: TimeInterval = 4 * 3600

    private var waiter: AsyncStream<WaitOutcome>.Continuation?
    /// The daemon is stopping: no new wait starts (one asked for just after the stop began
    /// would otherwise hold the shutdown for its whole wait).
    private var stopping = false
    /// Cards in the readers now, and whether a check-in already used them: a card inserted
    /// before the check-in started is taken, but only once.
    private var presentCards: [String: (credential: Credential, used: Bool)] = [:]
    private var checkins: [String: CheckedIn] = [:]
    private var sessions: [Int64: Session] = [:]
    private var busy: Set<Int64> = []

    package init(client: ClientBox, hub: EventHub, state: TerminalState, face: FaceLink?, link: CoreLink? = nil,
                logger: Logger = Logger(label: "cuntongd.desk"), visitIdleLimit: TimeInterval = 1800,
                feeCheck: FeeCheck = FeeCheck(store: nil)) {
        self.feeCheck = feeCheck
        self.box = client
        self.hub = hub
        self.state = state
        self.link = link ?? CoreLink(state: state, hub: hub)
        self.face = face
        self.logger = logger
        self.visitIdleLimit = visitIdleLimit
    }

    // MARK: What the devices report

    package func cardPresented(_ credential: Credential, reader: String) {
        if let waiter {
            waiter.yield(.credential(credential))
            presentCards[reader] = (credential, true)
        } else {
            presentCards[reader] = (credential, false)
        }
    }

    package func cardRemoved(reader: String) { presentCards[reader] = nil }

    package func codeScanned(_ credential: Credential) { waiter?.yield(.credential(credential)) }

    // MARK: Check-in

    /// Waits up to `seconds` for the first credential: a card (one already in a reader and
    /// not used yet counts), a scanned code, or a face match.
    func waitForCredential(seconds: Int) async throws(CheckinProblem) -> Credential {
        guard !stopping else { throw .stopping }
        guard waiter == nil else { throw .busy }
        if let (reader, entry) = presentCards.first(where: { !$0.value.used }) {
            presentCards[reader]?.used = true
            return entry.credential
        }
        let (stream, continuation) = AsyncStream<WaitOutcome>.makeStream()
        waiter = continuation
        state.update { $0.checkinWaiting = true }
        defer {
            waiter = nil
            state.update { $0.checkinWaiting = false }
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let faceWait = face.map { FaceWait(link: $0, hub: hub, state: state, logger: logger) }
        let outcome: WaitOutcome = await withTaskGroup(of: WaitOutcome?.self) { group in
            group.addTask {
                for await outcome in stream { return outcome }
                return .cancelled
            }
            group.addTask {
                do { try await Task.sleep(until: deadline) } catch { return .cancelled }
                return .timeout
            }
            if let faceWait {
                group.addTask {
                    await faceWait.run(until: deadline) { continuation.yield(.credential($0)) }
                    return nil
                }
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .cancelled
        }
        switch outcome {
        case .credential(let credential): return credential
        case .timeout: throw .timeout(seconds: seconds)
        case .cancelled: throw stopping ? .stopping : .cancelled
        }
    }

    /// Stops the wait in progress; false when none was waiting.
    package func cancelWait() -> Bool {
        guard let waiter else { return false }
        waiter.yield(.cancelled)
        return true
    }

    /// The daemon is stopping: the wait in progress ends, and every later one is refused at
    /// once (`CHECKIN-STOPPING`), so that no request holds the shutdown.
    package func stopWaiting() {
        stopping = true
        waiter?.yield(.cancelled)
    }

    /// Checks a patient in: a typed ID number at once, else the first credential presented.
    package func checkIn(idNumber: String?, waitSeconds: Int) async throws -> CheckedIn {
        let credential: Credential
        if let idNumber {
            switch NationalIDNumber.validate(idNumber) {
            case .success(let valid): credential = Credential(kind: .manualIDNumber, payload: valid.value, source: "keyboard")
            case .failure(let problem): throw CheckinProblem.invalidIDNumber(problem.explanation)
            }
        } else {
            credential = try await waitForCredential(seconds: waitSeconds)
        }
        let patient: CheckedInPatient
        do {
            patient = try await box.client.checkIn(credential)
            link.up()
        } catch {
            noteCore(error)
            hub.publish(.checkinFailed) {
                $0.credentialKind = credential.kind
                $0.source(credential.source)
                $0.code = error.code
                $0.message = error.message
            }
            throw error
        }
        let checkedIn = CheckedIn(id: UUID().uuidString.lowercased(), patient: patient, credentialKind: credential.kind,
                                  source: credential.source, at: Date())
        checkins[checkedIn.id] = checkedIn
        logger.notice("checked in", metadata: [
            "checkin": "\(checkedIn.id)", "kind": "\(credential.kind.rawValue)",
            "name": "\(Masking.name(patient.identity.name))", "idNumber": "\(Masking.idNumber(patient.identity.idNumber))"])
        hub.publish(.identityResolved) {
            $0.checkinId = checkedIn.id
            $0.credentialKind = credential.kind
            $0.source(credential.source)
            $0.patient = patient
        }
        return checkedIn
    }

    package func checkin(_ id: String) throws(CheckinProblem) -> CheckedIn {
        guard let found = checkins[id] else { throw .unknownCheckin(id) }
        return found
    }

    // MARK: Visits

    package func session(_ visitId: Int64) -> (visit: VisitInProgress, checkinId: String)? {
        sessions[visitId].map { ($0.visit, $0.checkinId) }
    }

    /// 2201 for a checked-in patient.
    package func openVisit(checkinId: String, fees header: FeeList) async throws -> VisitInProgress {
        let checkedIn = try checkin(checkinId)
        let visit: VisitInProgress
        do {
            visit = try await box.client.openVisit(checkedIn.patient, fees: header)
        } catch {
            noteCore(error)
            throw error
        }
        link.up()
        sessions[visit.visitId] = Session(visit: visit, checkinId: checkinId, touched: Date())
        return visit
    }

    /// 2203 + 2204. A failure at the core cancels the visit (2205/2202), as `cuntong settle` does.
    /// Rows the catalogue refuses (FEE-NOT-IN-CATALOGUE, FEE-EXPIRED, FEE-NOT-MAPPED) are refused
    /// here, before anything is sent; the visit stays open for corrected fees.
    package func uploadFees(visitId: Int64, items: [FeeList.Item]) async throws -> VisitInProgress {
        var checked: FeeCheck.Checked?
        if var fees = sessions[visitId]?.visit.fees {
            fees.items = items
            checked = try await feeCheck.check(fees, day: WireTime.day(Date()))
        }
        // A visit that is not (or no longer) at the desk: `step` says why.
        let rows = checked?.fees.items ?? items
        let visit = try await step(visitId) { client, visit throws(SettlementError) in
            try await client.uploadFees(visit, items: rows)
        }
        sessions[visitId]?.feeRows = checked?.rows ?? []
        return visit
    }

    /// What the catalogue says of a visit's uploaded rows, while it is at the desk.
    package func feeRows(_ visitId: Int64) -> [FeeRowInfo] {
        sessions[visitId]?.feeRows ?? []
    }

    /// What the catalogue says of each fee row (level, 先自付, price cap), without sending anything.
    package func checkFees(_ fees: FeeList) async throws -> FeeCheck.Checked {
        try await feeCheck.check(fees, day: WireTime.day(Date()))
    }

    /// 2206.
    package func preSettle(visitId: Int64) async throws -> VisitInProgress {
        try await step(visitId) { client, visit throws(SettlementError) in try await client.preSettle(visit) }
    }

    /// 2207. The visit leaves the desk whatever the outcome.
    package func settle(visitId: Int64) async throws -> (SettlementOutcome, CheckedInPatient) {
        let session = try await take(visitId)
        defer { busy.remove(visitId) }
        let patient = session.visit.patient
        let started = ContinuousClock.now
        do {
            let outcome = try await box.client.settle(session.visit)
            settled(outcome, patient: patient, since: started)
            return (outcome, patient)
        } catch {
            settlementFailed(error, visitId: visitId)
            throw error
        }
    }

    /// All the steps at once, as `cuntong settle`.
    package func settleAll(checkinId: String, fees: FeeList) async throws -> (SettlementOutcome, CheckedInPatient) {
        let checkedIn = try checkin(checkinId)
        let started = ContinuousClock.now
        let checked = try await feeCheck.check(fees, day: WireTime.day(Date()))
        do {
            let outcome = try await box.client.settle(checkedIn.patient, fees: checked.fees)
            settled(outcome, patient: checkedIn.patient, since: started)
            return (outcome, checkedIn.patient)
        } catch {
            settlementFailed(error, visitId: nil)
            throw error
        }
    }

    /// Cancels a visit in progress at the core (2205/2202).
    package func cancel(visitId: Int64) async throws -> JournalVisit {
        let session = try await take(visitId)
        defer { busy.remove(visitId) }
        await box.client.abandon(session.visit, reason: "cancelled through the API")
        return try await journalVisit(visitId)
    }

    /// 2208: undoes a settled visit.
    package func reverse(visitId: Int64) async throws -> JournalVisit {
        guard !busy.contains(visitId) else { throw CheckinProblem.visitBusy(visitId) }
        _ = try await journalVisit(visitId)
        do {
            try await box.client.reverseSettlement(visitId: visitId)
        } catch {
            noteCore(error)
            throw error
        }
        hub.publish(.settlementReversed) {
            $0.visitId = visitId
            $0.settlementResult = .reversed
        }
        return try await journalVisit(visitId)
    }

    package func journalVisit(_ visitId: Int64) async throws -> JournalVisit {
        guard let visit = try await box.client.journal.visit(visitId) else { throw CheckinProblem.unknownVisit(visitId) }
        return visit
    }

    /// Cancels visits left idle and forgets old check-ins. The daemon calls this with each
    /// recovery pass.
    package func expire(now: Date = Date()) async {
        checkins = checkins.filter { now.timeIntervalSince($0.value.at) < checkinLifetime }
        for (id, session) in sessions where !busy.contains(id) && now.timeIntervalSince(session.touched) > visitIdleLimit {
            sessions[id] = nil
            logger.notice("visit left idle; cancelling it at the core", metadata: ["visit": "\(id)"])
            await box.client.abandon(session.visit, reason: "left idle for \(Int(visitIdleLimit / 60)) minutes")
        }
    }

    // MARK: Helpers

    private func take(_ visitId: Int64) async throws -> Session {
        guard !busy.contains(visitId) else { throw CheckinProblem.visitBusy(visitId) }
        guard let session = sessions.removeValue(forKey: visitId) else {
            let visit = try await journalVisit(visitId)
            throw CheckinProblem.visitNotInProgress(visitId, state: visit.state.rawValue)
        }
        busy.insert(visitId)
        return session
    }

    private func step(_ visitId: Int64,
                      _ body: @Sendable (SettlementClient, VisitInProgress) async throws(SettlementError) -> VisitInProgress)
        async throws -> VisitInProgress {
        var session = try await take(visitId)
        defer { busy.remove(visitId) }
        do {
            session.visit = try await body(box.client, session.visit)
        } catch {
            noteCore(error)
            if case .notAllowed = error {
                sessions[visitId] = session
            } else {
                await box.client.abandon(session.visit, reason: error.code)
            }
            throw error
        }
        link.up()
        session.touched = Date()
        sessions[visitId] = session
        return session.visit
    }

    private func settled(_ outcome: SettlementOutcome, patient: CheckedInPatient, since started: ContinuousClock.Instant) {
        link.up()
        logger.notice("settled", metadata: ["visit": "\(outcome.visitId)", "total": "\(outcome.split.total.yuan)",
                                            "cash": "\(outcome.split.cash.yuan)"])
        hub.publish(.settlementDone) {
            $0.visitId = outcome.visitId
            $0.patient = patient
            $0.split = outcome.split
            $0.settlementResult = .settled
            $0.duration = ContinuousClock.now - started
        }
    }

    private func settlementFailed(_ error: any Error, visitId: Int64?) {
        noteCore(error)
        let result: TerminalEvent.SettlementResult
        switch error as? SettlementError {
        case .settlementInDoubt: result = .inDoubt
        case .settledNeedsReview: result = .needsReview
        default: result = .failed
        }
        hub.publish(.settlementFailed) {
            $0.settlementResult = result
            $0.visitId = visitId ?? (error as? SettlementError).flatMap {
                switch $0 {
                case .settlementInDoubt(let visit, _), .settledNeedsReview(let visit): visit
                default: nil
                }
            }
            $0.code = error.code
            $0.message = error.message
        }
    }

    /// What a failed call says about the link to the core.
    private func noteCore(_ error: any Error) { link.report(error) }
}
