import Settlement
import TerminalCore

/// What `cuntong checkin` prints. JSON keys are a contract: psnNo, name, idNumber,
/// insurance {type, typeName, region, balance, crossRegion, personType, status},
/// identities [{type, level, memo}], familyAccountSharing, certificateType, masked.
public struct IdentityView: Encodable, Sendable {
    public struct Insurance: Encodable, Sendable {
        public var type: String
        public var typeName: String
        public var region: String
        public var balance: String
        public var crossRegion: Bool
        public var personType: String
        public var status: String
    }
    public struct SpecialIdentity: Encodable, Sendable {
        public var type: String
        public var level: String
        public var memo: String
    }

    public var psnNo: String
    public var name: String
    public var idNumber: String
    public var gender: String
    public var birthDate: String
    public var insurance: Insurance?
    public var otherInsurances: [Insurance]
    public var identities: [SpecialIdentity]
    public var familyAccountSharing: Bool
    public var certificateType: String
    public var masked: Bool

    public init(_ patient: CheckedInPatient, reveal: Bool) {
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
    public var text: String {
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
