/// The insured person as the city core confirmed it (1101). Never built from what a card
/// or code says by itself. Personal data: print it through the masked views.
package struct Identity: Sendable, Hashable, Codable {
    package struct Insurance: Sendable, Hashable, Codable {
        /// `insutype`, e.g. 310 (employees' basic medical insurance), 390 (residents').
        package var type: String
        package var typeName: String
        /// `insuplc_admdvs`: the admin division where the person is insured.
        package var region: String
        /// `balc`: the personal-account balance.
        package var balance: Money
        /// `psn_type`.
        package var personType: String
        /// `psn_insu_stas`: 1 = contributing (参保缴费).
        package var status: String
        /// Insured outside the clinic's division: settled across regions (异地就医).
        package var crossRegion: Bool

        package init(type: String, typeName: String, region: String, balance: Money,
                    personType: String, status: String, crossRegion: Bool) {
            self.type = type
            self.typeName = typeName
            self.region = region
            self.balance = balance
            self.personType = personType
            self.status = status
            self.crossRegion = crossRegion
        }
    }

    /// `idetinfo`: a special identity, e.g. a medical-aid category.
    package struct SpecialIdentity: Sendable, Hashable, Codable {
        package var type: String
        package var level: String
        package var memo: String
        package init(type: String, level: String, memo: String) {
            self.type = type
            self.level = level
            self.memo = memo
        }
    }

    package var psnNo: String
    package var name: String
    package var idNumber: String
    /// `psn_cert_type`: 01 = resident identity card.
    package var idType: String
    package var gender: String
    package var birthDate: String
    package var insurances: [Insurance]
    package var identities: [SpecialIdentity]
    /// 家庭共济: the core says relatives' personal accounts may pay for this person.
    package var familyAccountSharing: Bool

    package init(psnNo: String, name: String, idNumber: String, idType: String, gender: String,
                birthDate: String, insurances: [Insurance], identities: [SpecialIdentity],
                familyAccountSharing: Bool) {
        self.psnNo = psnNo
        self.name = name
        self.idNumber = idNumber
        self.idType = idType
        self.gender = gender
        self.birthDate = birthDate
        self.insurances = insurances
        self.identities = identities
        self.familyAccountSharing = familyAccountSharing
    }

    /// The insurance to settle under: the first one that is contributing, else the first.
    package var primaryInsurance: Insurance? {
        insurances.first { $0.status == "1" } ?? insurances.first
    }
}
