import Catalogue
import CheckinDesk
import Foundation
import LocalAPI
import Settlement
import TerminalCore

/// Domain values as the API's schemas (docs/api.yaml). The keys are the CLI's: a check-in
/// is `cuntong checkin --json`, a settlement `cuntong settle --json`.
package enum APIViews {
    package static func patient(_ p: CheckedInPatient, reveal: Bool) -> Components.Schemas.Patient {
        let v = IdentityView(p, reveal: reveal)
        func insurance(_ i: IdentityView.Insurance) -> Components.Schemas.Insurance {
            .init(_type: i.type, typeName: i.typeName, region: i.region, balance: i.balance, crossRegion: i.crossRegion,
                  personType: i.personType, status: i.status)
        }
        return .init(psnNo: v.psnNo, name: v.name, idNumber: v.idNumber, gender: v.gender, birthDate: v.birthDate,
                     insurance: v.insurance.map(insurance), otherInsurances: v.otherInsurances.map(insurance),
                     identities: v.identities.map { .init(_type: $0.type, level: $0.level, memo: $0.memo) },
                     familyAccountSharing: v.familyAccountSharing, certificateType: v.certificateType, masked: v.masked)
    }

    package static func split(_ s: SettlementSplit) -> Components.Schemas.Split {
        .init(total: s.total.yuan, basicFund: s.basicFund.yuan, criticalIllness: s.criticalIllness.yuan,
              medicalAid: s.medicalAid.yuan, otherFunds: s.otherFunds.yuan, fundTotal: s.fundTotal.yuan,
              personalAccount: s.personalAccount.yuan, familyAccount: s.familyAccount.yuan, cash: s.cash.yuan,
              balanceAfter: s.balanceAfter.yuan)
    }

    package static func settlement(_ o: SettlementOutcome, patient p: CheckedInPatient, reveal: Bool) -> Components.Schemas.Settlement {
        .init(visitId: o.visitId, mdtrtId: o.mdtrtId, setlId: o.setlId, settledAt: o.settledAt,
              patient: .init(name: reveal ? p.identity.name : Masking.name(p.identity.name),
                             idNumber: reveal ? p.identity.idNumber : Masking.idNumber(p.identity.idNumber),
                             insurance: p.identity.primaryInsurance?.type ?? ""),
              split: split(o.split),
              funds: o.fundDetails.map { .init(_type: $0.fund_pay_type, name: $0.fund_pay_type_name ?? $0.fund_pay_type, amount: $0.fund_payamt.yuan) })
    }

    package static func checkin(_ c: CheckedIn, reveal: Bool) -> Components.Schemas.Checkin {
        .init(id: c.id, credentialKind: c.credentialKind.rawValue, source: c.source, checkedInAt: c.at,
              patient: patient(c.patient, reveal: reveal))
    }

    package static func feeItem(_ i: FeeList.Item, info: FeeRowInfo? = nil) -> Components.Schemas.FeeItem {
        .init(code: i.code, clinicCode: i.clinicCode, level: info?.level, selfPayRatio: info?.selfPayRatio,
              priceCap: info?.priceCapFen.map { Money(fen: $0).yuan }, warning: info?.warning, name: i.name,
              category: i.category, unitPrice: i.unitPrice.yuan, quantity: .case2(i.quantity.description), amount: i.amount.yuan)
    }

    package static func catalogueEntry(_ e: CatalogueEntry) -> Components.Schemas.CatalogueEntry {
        .init(code: e.code, name: e.name, kind: e.kind, listType: e.listType, level: e.level, spec: e.spec, unit: e.unit,
              manufacturer: e.manufacturer, validFrom: e.validFrom, validTo: e.validTo,
              priceCap: e.priceCapFen.map { Money(fen: $0).yuan }, selfPayRatio: e.selfPayRatio, clinicItems: e.clinicItems)
    }

    /// A visit as the journal has it, with what the desk holds for it while it is in progress.
    package static func visit(_ v: JournalVisit, progress: VisitInProgress?, checkinId: String?,
                              feeRows: [FeeRowInfo] = []) -> Components.Schemas.Visit {
        let items = progress?.fees.items ?? []
        let total = progress.flatMap { $0.feesUploaded ? $0.fees.total : nil } ?? v.medfeeSumamt.map(Money.init(fen:))
        return .init(id: v.id ?? 0, state: v.state.rawValue, checkinId: checkinId, mdtrtId: v.mdtrtId, setlId: v.setlId,
                     items: items.enumerated().map { i, item in
                         feeItem(item, info: feeRows.indices.contains(i) ? feeRows[i] : nil)
                     }, total: total?.yuan, estimate: progress?.estimate.map(split), note: v.note)
    }

    package static func journalVisit(_ v: JournalVisit) -> Components.Schemas.JournalVisit {
        .init(id: v.id ?? 0, state: v.state.rawValue, psnNo: Masking.identifier(v.psnNo), insutype: v.insutype,
              mdtrtId: v.mdtrtId, setlId: v.setlId, total: v.medfeeSumamt.map { Money(fen: $0).yuan },
              fundPaid: v.fundPaySumamt.map { Money(fen: $0).yuan }, personalAccount: v.acctPay.map { Money(fen: $0).yuan },
              cash: v.cashPay.map { Money(fen: $0).yuan }, settlementDay: v.setlDay,
              createdAt: Date(timeIntervalSince1970: v.createdAt), note: v.note)
    }

    /// A fee item from a request: money as yuan with at most two decimals, a quantity with
    /// at most four.
    package static func feeItem(_ i: Components.Schemas.FeeItem, index: Int) throws(FeeList.Problem) -> FeeList.Item {
        guard let price = Money(yuan: i.unitPrice) else {
            throw .badItem(index: index, reason: "its unit price \"\(i.unitPrice)\" is not yuan with at most two decimals")
        }
        let quantityText: String
        switch i.quantity {
        case .case1(let number): quantityText = String(format: "%.4f", number)
        case .case2(let text): quantityText = text
        }
        guard let quantity = Quantity(text: quantityText) else {
            throw .badItem(index: index, reason: "its quantity \"\(quantityText)\" is not a number with at most four decimals")
        }
        return FeeList.Item(code: i.code ?? "", clinicCode: i.clinicCode, name: i.name, category: i.category,
                            unitPrice: price, quantity: quantity)
    }

    package static func coded(_ c: Components.Schemas.Coded) -> FeeList.Coded { .init(code: c.code, name: c.name, caty: c.caty) }

    package static func diseaseCategory(_ c: Components.Schemas.DiseaseCategory?) -> FeeList.Coded? {
        c.map { .init(code: $0.code, name: $0.name) }
    }
}
