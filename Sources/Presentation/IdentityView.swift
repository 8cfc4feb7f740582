import Settlement
import TerminalCore

/// What `cuntong checkin` prints. JSON keys are a contract: psnNo, name, idNumber,
/// insurance {type, typeName, region, balance, crossRegion, personType, status},
/// identities [{type, level, memo}], familyAccountSharing, certificateType, masked.
package struct IdentityView: Encodable, Sendable {
    package struct Insurance: Encodable, Sendable {
        package var type: String
        package var typeName: String
        package var region: String
        package var balance: String
        package var crossRegion: Bool
        package var personType: String
        package var status: String
    }
    package struct SpecialIdentity: Encodable, Sendable {
        package var type: String
        package var level: String
        package var memo: String
    }

    package var psnNo: String
    package var name: String
    package var idNumber: String
    package var gender: String
    package var birthDate: String
    package var insurance: Insurance?
    package var otherInsurances: [Insurance]
    package var identities: [SpecialIdentity]
    package var familyAccountSharing: Bool
    package var certificateType: String
    package var masked: Bool

    package init(_ patient: CheckedInPatient, reveal: Bool) {
        let id = patient.identity
        func view(_ i: Identity.Insurance) -> Insurance {
            Insurance(type: i.type, typeName: i.typeName, region: i.region, balance: i.balance.yuan,
                      crossRegion: i.crossRegion, personType: i.personType, status: i.status)
        }
        psnNo = reveal ? id.psnNo : Masking.identifier(id.psnNo)
        name = reveal ? id.name : Masking.name(id.name)
        idNumber = reveal ? id.idNumber : Masking.idNumber(id.idNumber)
        gender = id.gender
        birthDate = reveal ? id.birthDate : String(id.birthDate.prefix(4)) + "-**-**"
        let primary = id.primaryInsurance
        insurance = primary.map(view)
        otherInsurances = id.insurances.filter { $0 != primary }.map(view)
        identities = id.identities.map { SpecialIdentity(type: $0.type, level: $0.level, memo: $0.memo) }
        familyAccountSharing = id.familyAccountSharing
        certificateType = patient.certificate.type.rawValue
        masked = !reveal
    }

    /// For the doctor: name and insurance first, warnings on their own lines.
    package var text: String {
        var lines = ["姓名 Name        \(name)", "证件 ID number   \(idNumber)", "人员编号 psn_no  \(psnNo)"]
        if let i = insurance {
            lines.append("险种 Insurance   \(i.typeName) (\(i.type)), 参保地 \(i.region)")
            lines.append("个账 Balance     ¥\(i.balance)")
            if i.status != "1" { lines.append("注意: 参保状态异常 (psn_insu_stas \(i.status)) — insurance not active") }
            if i.crossRegion { lines.append("注意: 异地参保 — insured in \(i.region): cross-region settlement") }
        } else {
            lines.append("注意: 无参保信息 — the core lists no insurance")
        }
        for s in identities { lines.append("身份 Identity    \(s.memo.isEmpty ? s.type : s.memo)") }
        if familyAccountSharing { lines.append("家庭共济 Family account sharing: relatives' accounts may pay") }
        return lines.joined(separator: "\n")
    }
}
