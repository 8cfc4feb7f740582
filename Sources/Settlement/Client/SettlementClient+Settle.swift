import Foundation
import TerminalCore

/// A settlement the core confirmed.
package struct SettlementOutcome: Sendable {
    package var visitId: Int64
    package var mdtrtId: String
    package var setlId: String
    package var settledAt: String
    package var split: SettlementSplit
    package var fundDetails: [SettleOutput.SetlDetail]
}

/// A visit between its steps (the local API takes them one request at a time). While one
/// exists, recovery leaves its visit alone; `settle` or `abandon` ends it.
package struct VisitInProgress: Sendable {
    package let visitId: Int64
    package let patient: CheckedInPatient
    /// Department, doctor and diagnosis; the items once uploaded.
    package internal(set) var fees: FeeList
    package internal(set) var feesUploaded = false
    /// The core's 2206 answer: what 2207 must quote, and what the patient will pay.
    package internal(set) var estimate: SettlementSplit?
    let begntime: String
    let region: String
    var preSettlement: SettleOutput.SetlInfo?
}

extension SettlementClient {
    /// Register (2201), upload the visit and fees (2203, 2204), pre-settle (2206) and settle
    /// (2207). Every message is journaled before it is sent. Before 2207 a failure cancels
    /// the visit at the core; a 2207 whose answer is lost is reversed with 2601 and reported
    /// as in doubt, never as a success.
    package func settle(_ patient: CheckedInPatient, fees: FeeList) async throws(SettlementError) -> SettlementOutcome {
        var visit = try await openVisit(patient, fees: fees)
        do throws(SettlementError) {
            visit = try await uploadFees(visit, items: fees.items)
            visit = try await preSettle(visit)
        } catch {
            await abandon(visit, reason: error.code)
            throw error
        }
        return try await settle(visit)
    }

    /// 2201: registers the visit (department, doctor and diagnosis from `fees`; its items are
    /// not sent yet) and holds it for the next steps.
    package func openVisit(_ patient: CheckedInPatient, fees: FeeList) async throws(SettlementError) -> VisitInProgress {
        guard let insurance = patient.identity.primaryInsurance else {
            throw .notAllowed("the core lists no insurance for this person, so there is nothing to settle under")
        }
        guard !insurance.region.isEmpty else {
            throw .notAllowed("neither the core nor the e-credential platform said where this person is insured (insuplc_admdvs)")
        }
        let stamp = WireTime.stamp(now())
        let visit = try await journal.insertVisit(JournalVisit(
            id: nil, psnNo: patient.identity.psnNo, certType: patient.certificate.type.rawValue,
            certNo: patient.certificate.number, insutype: insurance.type, insuplcAdmdvs: insurance.region,
            iptOtpNo: "",
            mdtrtId: nil, chrgBchno: nil, setlId: nil, state: .open, medfeeSumamt: nil, fundPaySumamt: nil,
            acctPay: nil, cashPay: nil, setlDay: nil, clrType: nil, clrOptins: nil, ownerPid: getpid(), createdAt: now().timeIntervalSince1970,
            updatedAt: now().timeIntervalSince1970, note: nil),
            numberPrefix: Self.visitNumberPrefix(device: settings.deviceNumber, stamp: stamp))
        let visitId = visit.id!
        activeVisits.insert(visitId)
        let begntime = WireTime.infTime(now())
        let reg: RegisterOutput
        let m2201 = try await record(.register, RegisterInput(data: .init(
            psn_no: visit.psnNo, insutype: visit.insutype, begntime: begntime,
            mdtrt_cert_type: visit.certType, mdtrt_cert_no: visit.certNo, ipt_otp_no: visit.iptOtpNo,
            atddr_no: fees.doctor.code, dr_name: fees.doctor.name, dept_code: fees.department.code,
            dept_name: fees.department.name, caty: fees.department.caty ?? fees.department.code)),
            visitId: visitId, insuplc: insurance.region, insutype: insurance.type)
        do {
            reg = try await deliver(m2201, as: RegisterOutput.self)
        } catch {
            activeVisits.remove(visitId)
            if case .unreadableOutput = error {
                // Registered at the core, but without its mdtrt_id nothing can follow: undo it.
                _ = try? await reverseInDoubt(m2201)
                throw error
            }
            // A lost 2201 stays in doubt for recovery, which learns the mdtrt_id and cancels it.
            if !error.leavesMessageInDoubt {
                _ = try? await journal.updateVisit(visitId, now: now()) { $0.state = .cancelled; $0.note = error.code }
            }
            throw error
        }
        _ = try await journal.updateVisit(visitId, now: now()) {
            $0.state = .registered
            $0.mdtrtId = reg.mdtrt_id
            $0.chrgBchno = "B\(stamp)\(visitId)"
        }
        var header = fees
        header.items = []
        return VisitInProgress(visitId: visitId, patient: patient, fees: header, begntime: begntime,
                               region: insurance.region)
    }

    /// 2203 + 2204: the visit and its fee items, queued in order, then sent.
    package func uploadFees(_ visit: VisitInProgress, items: [FeeList.Item]) async throws(SettlementError) -> VisitInProgress {
        guard !visit.feesUploaded else {
            throw .notAllowed("the fees of visit \(visit.visitId) are already uploaded; cancel the visit to change them")
        }
        guard let current = try await journal.visit(visit.visitId), current.state == .registered else {
            throw .notAllowed("visit \(visit.visitId) is not waiting for its fees")
        }
        var next = visit
        next.fees.items = items
        let m2203 = try await record(.visitInfo, visitInfo(current, fees: next.fees, begntime: visit.begntime),
                                     visitId: visit.visitId, insuplc: visit.region)
        let m2204 = try await record(.feeDetails, feeDetails(current, fees: next.fees, begntime: visit.begntime),
                                     visitId: visit.visitId, insuplc: visit.region)
        _ = try await deliver(m2203, as: Ignored.self)
        _ = try await deliver(m2204, as: FeeDetailOutput.self)
        _ = try await journal.updateVisit(visit.visitId, now: now()) { $0.state = .uploaded }
        next.feesUploaded = true
        return next
    }

    /// 2206: pre-settlement: the split the core would make, and the amounts 2207 must quote.
    package func preSettle(_ visit: VisitInProgress) async throws(SettlementError) -> VisitInProgress {
        guard visit.feesUploaded, let current = try await journal.visit(visit.visitId),
              current.state == .uploaded || current.state == .presettled else {
            throw .notAllowed("visit \(visit.visitId) has no fees uploaded yet")
        }
        let pre = try await call(.preSettle, settleInput(current, fees: visit.fees, pre: nil),
                                 as: SettleOutput.self, visitId: visit.visitId, insuplc: visit.region,
                                 insutype: current.insutype).0
        _ = try await journal.updateVisit(visit.visitId, now: now()) { $0.state = .presettled }
        var next = visit
        next.preSettlement = pre.setlinfo
        next.estimate = pre.setlinfo.split
        return next
    }

    /// 2207: the settlement itself, after a pre-settlement. Ends the hold on the visit. A
    /// refusal before the money moved cancels the visit; a lost answer is reversed (2601)
    /// and thrown as `.settlementInDoubt`.
    package func settle(_ visit: VisitInProgress) async throws(SettlementError) -> SettlementOutcome {
        guard let pre = visit.preSettlement, let presettled = try await journal.visit(visit.visitId),
              presettled.state == .presettled else {
            throw .notAllowed("visit \(visit.visitId) must be pre-settled (2206) first")
        }
        let visitId = visit.visitId
        defer { activeVisits.remove(visitId) }
        do throws(SettlementError) {
            let current = try await journal.updateVisit(visitId, now: now()) { $0.state = .settling }
            let m2207 = try await record(.settle, settleInput(current, fees: visit.fees, pre: pre),
                                         visitId: visitId, insuplc: visit.region, insutype: current.insutype)
            let answer: SettleOutput
            do throws(SettlementError) {
                answer = try await deliver(m2207, as: SettleOutput.self)
            } catch .unreadableOutput(_, let detail) {
                // Confirmed by the core: settled. Never reversed; kept for a person to review.
                try await markNeedsReview(visitId, detail: detail)
                throw SettlementError.settledNeedsReview(visit: visitId)
            } catch where error.leavesMessageInDoubt {
                let reversed = (try? await reverseInDoubt(m2207)) ?? false
                throw SettlementError.settlementInDoubt(visit: visitId, reversed: reversed)
            } catch {
                // Refused, or never sent: nothing was charged.
                if (try? await journal.message(m2207.msgid))??.state == .queued {
                    try? await journal.setState(m2207.msgid, .abandoned, note: "never sent: \(error.code)")
                }
                throw error
            }
            let settled = try await finishSettled(visitId, answer: answer)
            CrashPoint.hit("2207", "after-journal")
            return settled
        } catch {
            if case .settlementInDoubt = error { throw error }
            if case .settledNeedsReview = error { throw error }
            await cancelVisit(visitId, reason: error.code)
            throw error
        }
    }

    /// Cancels a visit that will not be settled (2205/2202) and ends the hold on it.
    package func abandon(_ visit: VisitInProgress, reason: String) async {
        activeVisits.remove(visit.visitId)
        await cancelVisit(visit.visitId, reason: reason)
    }

    /// Records a confirmed 2207 answer on the visit, in one transaction.
    @discardableResult
    func finishSettled(_ visitId: Int64, answer: SettleOutput) async throws(SettlementError) -> SettlementOutcome {
        let info = answer.setlinfo
        let day = info.setl_time.map { String($0.prefix(10)) } ?? WireTime.day(now())
        try await journal.updateVisit(visitId, now: now()) {
            $0.state = .settled
            $0.setlId = info.setl_id
            $0.medfeeSumamt = info.medfee_sumamt.fen
            $0.fundPaySumamt = info.fund_pay_sumamt.fen
            $0.acctPay = info.acct_pay.fen
            $0.cashPay = info.psn_cash_pay.fen
            $0.setlDay = day
            $0.clrType = info.clr_type
            $0.clrOptins = info.clr_optins
        }
        return SettlementOutcome(visitId: visitId, mdtrtId: info.mdtrt_id, setlId: info.setl_id ?? "",
                                 settledAt: info.setl_time ?? WireTime.infTime(now()), split: info.split,
                                 fundDetails: answer.setldetail)
    }

    /// A 2207 the core confirmed whose answer cannot be read: settled, amounts unknown.
    func markNeedsReview(_ visitId: Int64, detail: String) async throws(SettlementError) {
        try await journal.updateVisit(visitId, now: now()) {
            $0.state = .needsReview
            $0.note = "2207 confirmed (infcode 0) but its answer cannot be read: \(detail); not reversed, review the raw answer"
        }
        log.error("a settlement the core confirmed has an unreadable answer; kept for review, not reversed",
                  metadata: ["visit": "\(visitId)", "why": "\(detail)"])
    }

    /// The clinic's visit number (ipt_otp_no, at most 30 characters) without its sequence:
    /// the device number's letters and digits (12 at most) and the second; the journal
    /// appends the second's next 4-digit sequence (`Journal.insertVisit(_:numberPrefix:)`).
    static func visitNumberPrefix(device: String, stamp: String) -> String {
        String(device.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(12)) + stamp
    }

    // MARK: Message bodies

    func visitInfo(_ v: JournalVisit, fees: FeeList, begntime: String) -> VisitInfoInput {
        VisitInfoInput(
            mdtrtinfo: .init(mdtrt_id: v.mdtrtId ?? "", psn_no: v.psnNo, med_type: "11", begntime: begntime,
                             main_cond_dscr: fees.diagnosis.name, dise_codg: fees.diseaseCategory?.code ?? "",
                             dise_name: fees.diseaseCategory?.name ?? ""),
            diseinfo: [.init(diag_type: "1", diag_srt_no: 1, diag_code: fees.diagnosis.code,
                             diag_name: fees.diagnosis.name, diag_dept: fees.department.name,
                             dise_dor_no: fees.doctor.code, dise_dor_name: fees.doctor.name, diag_time: begntime,
                             vali_flag: "1")])
    }

    func feeDetails(_ v: JournalVisit, fees: FeeList, begntime: String) -> FeeDetailInput {
        FeeDetailInput(feedetail: fees.items.enumerated().map { i, item in
            .init(feedetl_sn: "\(v.chrgBchno ?? "")-\(i + 1)", mdtrt_id: v.mdtrtId ?? "", psn_no: v.psnNo,
                  chrg_bchno: v.chrgBchno ?? "", dise_codg: fees.diseaseCategory?.code ?? "", rxno: "", rx_circ_flag: "0",
                  fee_ocur_time: begntime, med_list_codg: item.code,
                  medins_list_codg: item.clinicCode ?? item.code,
                  det_item_fee_sumamt: WireNumber(item.amount), cnt: WireNumber(item.quantity),
                  pric: WireNumber(price: item.unitPrice),
                  bilg_dept_codg: fees.department.code, bilg_dept_name: fees.department.name,
                  bilg_dr_codg: fees.doctor.code, bilg_dr_name: fees.doctor.name, hosp_appr_flag: "1")
        })
    }

    func settleInput(_ v: JournalVisit, fees: FeeList, pre: SettleOutput.SetlInfo?) -> SettleInput {
        SettleInput(data: .init(
            psn_no: v.psnNo, mdtrt_cert_type: v.certType, mdtrt_cert_no: v.certNo, med_type: "11",
            medfee_sumamt: WireNumber(pre?.medfee_sumamt ?? fees.total), psn_setlway: "01", mdtrt_id: v.mdtrtId ?? "",
            chrg_bchno: v.chrgBchno ?? "", insutype: v.insutype, acct_used_flag: "1", invono: nil,
            fulamt_ownpay_amt: pre.map { WireNumber($0.fulamt_ownpay_amt) },
            overlmt_selfpay: pre.map { WireNumber($0.overlmt_selfpay) },
            preselfpay_amt: pre.map { WireNumber($0.preselfpay_amt) }, inscp_scp_amt: pre.map { WireNumber($0.inscp_scp_amt) }))
    }
}

extension SettlementClient {
    /// Journals `count` copies of a visit's 2203 upload as queued (not sent): the backlog a
    /// clinic builds while its link is down. For Benchmarks/settlement and the outage tests.
    package func queueVisitInfoCopies(of visit: JournalVisit, fees: FeeList, count: Int) async throws(SettlementError) -> Int {
        let input = visitInfo(visit, fees: fees, begntime: WireTime.infTime(now()))
        for _ in 0..<count {
            _ = try await record(.visitInfo, input, visitId: visit.id, insuplc: visit.insuplcAdmdvs)
        }
        return count
    }
}
