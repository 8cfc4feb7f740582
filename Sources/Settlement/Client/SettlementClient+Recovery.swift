import Foundation
import TerminalCore

/// What one recovery pass did.
package struct RecoveryReport: Sendable, Codable, Equatable {
    /// Messages re-sent under their own msgid and answered.
    package var resent = 0
    /// Settlements whose answer was lost, undone with 2601 冲正.
    package var reversed = 0
    /// Visits whose 2207 answer was recorded but the visit not yet marked: now settled.
    package var settled = 0
    /// Of those, settlements the core confirmed whose answer cannot be read: kept as
    /// settled-needs-review, never reversed.
    package var needsReview = 0
    /// Unfinished visits cancelled at the core (2205/2202).
    package var cancelled = 0
    /// Messages that never left and never will (queries, settlements of a patient gone).
    package var abandoned = 0
    /// Still unresolved: the core could not be reached. Retried on the next pass.
    package var stillInDoubt = 0
    package var stillQueued = 0
    /// Of those, messages unresolved for more than a day: no longer a matter of waiting for
    /// the link; a person must look (the insurance office, with `cuntong journal export`).
    package var escalated = 0
    /// The core could not be reached during this pass.
    package var linkDown = false

    package init() {}

    package var isClean: Bool { stillInDoubt == 0 && stillQueued == 0 }
}

extension SettlementClient {
    /// Whether nobody is working on a visit any more: its process is gone (crashed, or
    /// finished without closing it), or it is this process and no call is on it now. A visit
    /// untouched for two hours is treated as abandoned whatever its pid says, so a reused
    /// pid cannot pin it forever.
    func ownerGone(_ visit: JournalVisit) -> Bool {
        if let id = visit.id, activeVisits.contains(id) { return false }
        if now().timeIntervalSince1970 - visit.updatedAt > 7200 { return true }
        if visit.ownerPid == getpid() { return true }
        return !ProcessLiveness.isAlive(visit.ownerPid)
    }

    func ownerGone(_ message: JournalMessage) async throws(SettlementError) -> Bool {
        if let id = message.visitId, let visit = try await journal.visit(id) { return ownerGone(visit) }
        return now().timeIntervalSince1970 - message.createdAt > 60
    }

    /// Undoes an in-doubt money message with 2601 冲正, re-using the 2601 already journaled
    /// for it if there is one (the same message is never sent under two msgids). Returns
    /// true once the core has acknowledged.
    @discardableResult
    func reverseInDoubt(_ original: JournalMessage) async throws(SettlementError) -> Bool {
        let existing = try await journal.messages(in: [.queued, .sending, .inDoubt, .answered])
            .first { $0.infno == "2601" && $0.reversesMsgid == original.msgid }
        if existing?.state == .answered {
            try await markReversed(original)
            return true
        }
        // The input carries psn_no, so insuplc_admdvs is the journaled visit's, as for the original.
        var visit: JournalVisit?
        if let id = original.visitId { visit = try await journal.visit(id) }
        let message: JournalMessage
        if let existing {
            message = existing
        } else {
            message = try await record(.reverseMessage, ReverseMessageInput(data: .init(
                psn_no: visit?.psnNo ?? "", omsgid: original.msgid,
                // The infno as the original went on the wire (2207A where the profile says so).
                oinfno: Transaction(rawValue: original.infno).map(settings.profile.wireInfno) ?? original.infno)),
                visitId: original.visitId, insuplc: visit?.insuplcAdmdvs ?? "", reverses: original.msgid)
        }
        _ = try await deliver(message, as: Ignored.self)
        try await markReversed(original)
        if let id = original.visitId, let visit = try await journal.visit(id) {
            try await queueCancellation(of: visit)
            _ = try? await flushQueue()
        }
        log.notice("in-doubt message reversed (冲正)", metadata: ["msgid": "\(original.msgid)", "infno": "\(original.infno)"])
        return true
    }

    func markReversed(_ original: JournalMessage) async throws(SettlementError) {
        try await journal.setState(original.msgid, .reversed)
        if let id = original.visitId {
            try await journal.updateVisit(id, now: now()) {
                $0.state = .reversed
                $0.note = "\(original.infno) answer lost or unreadable; reversed by 2601"
            }
        }
    }

    /// Cancels an unfinished visit at the core: unsent uploads are dropped, then 2205 (fees)
    /// and 2202 (registration) are queued and sent in order. Best effort now; whatever the
    /// link does not carry stays queued for the next recovery pass.
    func cancelVisit(_ id: Int64, reason: String) async {
        do {
            guard let visit = try await journal.visit(id), !visit.state.isFinal else { return }
            try await queueCancellation(of: visit)
            try await journal.updateVisit(id, now: now()) {
                $0.state = .cancelled
                $0.note = "cancelled: \(reason)"
            }
            _ = try await flushQueue()
        } catch {
            log.warning("could not cancel a visit yet; recovery will retry", metadata: ["visit": "\(id)", "error": "\(error)"])
        }
    }

    /// Journals 2205 and 2202 for a visit whose settlement will not happen (or was undone),
    /// so its registration does not stay open at the core. Unsent uploads are dropped.
    func queueCancellation(of visit: JournalVisit) async throws(SettlementError) {
        let id = visit.id!
        let messages = try await journal.messages(limit: 1000, visitId: id)
        for m in messages where m.state == .queued && !["2202", "2205", "2601", "2208"].contains(m.infno) {
            try await journal.setState(m.msgid, .abandoned, note: "visit cancelled before it was sent")
        }
        if messages.contains(where: { $0.infno == "2202" }) { return }
        let feesMayBeThere = messages.contains { $0.infno == "2204" && [.answered, .inDoubt, .sending].contains($0.state) }
        if feesMayBeThere, let batch = visit.chrgBchno, let mdtrt = visit.mdtrtId {
            _ = try await record(.cancelFees, CancelFeesInput(data: .init(chrg_bchno: batch, mdtrt_id: mdtrt, psn_no: visit.psnNo)),
                                 visitId: id, insuplc: visit.insuplcAdmdvs)
        }
        if let mdtrt = visit.mdtrtId {
            _ = try await record(.cancelRegistration, CancelRegistrationInput(data: .init(
                psn_no: visit.psnNo, mdtrt_id: mdtrt, ipt_otp_no: visit.iptOtpNo)),
                visitId: id, insuplc: visit.insuplcAdmdvs)
        }
    }

    /// 2208: undoes a settlement the clinic has the answer of (the patient changed their
    /// mind, a wrong fee). Re-sent under the same msgid until acknowledged.
    package func reverseSettlement(visitId: Int64) async throws(SettlementError) {
        guard let visit = try await journal.visit(visitId) else { throw .journal("visit \(visitId) is not in the journal") }
        guard visit.state == .settled || visit.state == .reversing, let setlId = visit.setlId, let mdtrt = visit.mdtrtId else {
            throw .notAllowed("visit \(visitId) is \(visit.state.rawValue), not settled")
        }
        let pending = try await journal.messages(limit: 1000, visitId: visitId).first {
            $0.infno == "2208" && [.queued, .sending, .inDoubt].contains($0.state)
        }
        let message: JournalMessage
        if let pending {
            message = pending
        } else {
            try await journal.updateVisit(visitId, now: now()) { $0.state = .reversing }
            message = try await record(.reverseSettlement, SettlementReversalInput(data: .init(setl_id: setlId, mdtrt_id: mdtrt, psn_no: visit.psnNo)),
                                       visitId: visitId, insuplc: visit.insuplcAdmdvs)
        }
        _ = try await deliver(message, as: Ignored.self)
        let reversed = try await journal.updateVisit(visitId, now: now()) {
            $0.state = .reversed
            $0.note = "settlement reversed by 2208"
        }
        try await queueCancellation(of: reversed)
        _ = try? await flushQueue()
    }

    /// Sends queued and re-sendable messages in the order they were written, stopping at
    /// the first one the link cannot carry. Returns how many were answered.
    package func flushQueue() async throws(SettlementError) -> Int {
        var sent = 0
        var tried: Set<String> = []
        // An answer may queue follow-ups (a 2601 queues 2205/2202): take another pass for them.
        for _ in 0..<4 {
            let pending = try await journal.messages(in: [.queued, .sending, .inDoubt]).filter { !tried.contains($0.msgid) }
            if pending.isEmpty { break }
            for message in pending {
                tried.insert(message.msgid)
                guard MessageRole(infno: message.infno)?.isResent == true else { continue }
                // Another live process is working on this visit: leave its messages to it.
                if let id = message.visitId, let v = try await journal.visit(id), v.ownerPid != getpid(), !ownerGone(v) { continue }
                do {
                    let (header, data) = try await send(message, retries: 0)
                    sent += 1
                    if header.infcode == 0 { try await applyEffects(of: message, answer: data) }
                } catch {
                    if case .coreUnreachable = error { throw error }
                    if case .tls = error { throw error }
                }
            }
        }
        return sent
    }

    /// What an answer arriving late means for the visit it belongs to.
    func applyEffects(of message: JournalMessage, answer: Data) async throws(SettlementError) {
        guard let id = message.visitId else { return }
        switch message.infno {
        case "2201":
            if let out = try? WireJSON.decode(AnswerOutput<RegisterOutput>.self, from: answer).output {
                try await journal.updateVisit(id, now: now()) { v in
                    if v.mdtrtId == nil { v.mdtrtId = out.mdtrt_id }
                    if v.state == .open { v.state = .registered }
                }
            }
        case "2601":
            if let reversed = message.reversesMsgid, let original = try await journal.message(reversed) {
                try await markReversed(original)
                if let visit = try await journal.visit(id) { try await queueCancellation(of: visit) }
            }
        case "2208":
            try await journal.updateVisit(id, now: now()) {
                $0.state = .reversed
                $0.note = "settlement reversed by 2208"
            }
        default: break
        }
    }

    /// Resolves everything a crash, a lost answer or a dropped link left behind: in-doubt
    /// settlements are reversed (2601), in-doubt uploads re-sent under their msgid,
    /// unfinished visits of dead processes cancelled, queued uploads sent in order.
    /// `cuntong journal recover` runs this; the daemon at start and periodically.
    package func recover() async throws(SettlementError) -> RecoveryReport {
        var report = RecoveryReport()
        var linkDown = false

        // 1. Messages that may have reached the core but whose answer is not recorded.
        for message in try await journal.messages(in: [.sending, .inDoubt]) where !linkDown {
            guard let role = MessageRole(infno: message.infno) else {
                log.error("a journaled message of an unknown transaction is left for a person", metadata: ["msgid": "\(message.msgid)", "infno": "\(message.infno)"])
                continue
            }
            // A query changed nothing at the core: closing it is harmless even if its process
            // still waits (a late answer is recorded over it).
            let gone = try await ownerGone(message)
            guard role == .query || gone else {
                log.debug("in-doubt message left alone: its process is still at work", metadata: ["msgid": "\(message.msgid)"])
                continue
            }
            switch role {
            case .query:
                try await journal.setState(message.msgid, .abandoned, note: "query without an answer; it changed nothing")
                report.abandoned += 1
            case .changesMoney:
                do {
                    try await reverseInDoubt(message)
                    report.reversed += 1
                } catch {
                    log.warning("could not reverse an in-doubt settlement yet", metadata: ["msgid": "\(message.msgid)", "error": "\(error)"])
                    if case .coreUnreachable = error { linkDown = true }
                }
            case .idempotentUpload, .undoesMoney:
                do {
                    let (header, data) = try await send(message, retries: 0)
                    report.resent += 1
                    if header.infcode == 0 { try await applyEffects(of: message, answer: data) }
                } catch {
                    if case .coreUnreachable = error { linkDown = true }
                }
            }
        }

        // 2. Queued messages that never left: queries and settlements are dropped (their
        //    patient is gone); uploads and remedies are sent below, in order.
        for message in try await journal.messages(in: [.queued]) {
            let role = MessageRole(infno: message.infno)
            let gone = try await ownerGone(message)
            guard role == .query || (role == .changesMoney && gone) else { continue }
            try await journal.setState(message.msgid, .abandoned, note: "never sent; its visit is over")
            report.abandoned += 1
        }

        // 3. Visits their process left unfinished.
        for visit in try await journal.unfinishedVisits() where ownerGone(visit) {
            let messages = try await journal.messages(limit: 1000, visitId: visit.id!)
            let settle = messages.first { $0.infno == "2207" }
            if visit.state == .settling, let settle, settle.state == .answered, let answer = settle.answer {
                // The core confirmed it: settled, whether or not its answer can be read.
                do {
                    try await finishSettled(visit.id!, answer: try WireJSON.decode(AnswerOutput<SettleOutput>.self, from: answer).output)
                    report.settled += 1
                } catch {
                    try await markNeedsReview(visit.id!, detail: Self.describe(error))
                    report.needsReview += 1
                }
                continue
            }
            if let settle, settle.state == .inDoubt || settle.state == .sending { continue }
            if messages.contains(where: { $0.infno == "2201" && ($0.state == .inDoubt || $0.state == .sending) }) {
                continue  // learn the mdtrt_id first (step 1, next pass)
            }
            if linkDown { continue }
            await cancelVisit(visit.id!, reason: "left unfinished by process \(visit.ownerPid)")
            if try await journal.visit(visit.id!)?.state == .cancelled { report.cancelled += 1 }
        }

        // 4. Everything still queued, in order.
        if !linkDown {
            do { report.resent += try await flushQueue() } catch { linkDown = true }
        }
        report.linkDown = linkDown
        report.stillInDoubt = try await journal.inDoubtCount()
        let dayAgo = now().timeIntervalSince1970 - 86_400
        report.escalated = try await journal.messages(in: [.inDoubt, .sending, .queued]).filter {
            $0.createdAt < dayAgo && MessageRole(infno: $0.infno) != .query
        }.count
        if report.escalated > 0 {
            log.error("messages unresolved for more than a day", metadata: ["count": "\(report.escalated)"])
        }
        report.stillQueued = try await journal.messages(in: [.queued]).filter {
            MessageRole(infno: $0.infno)?.isResent == true
        }.count
        return report
    }
}
