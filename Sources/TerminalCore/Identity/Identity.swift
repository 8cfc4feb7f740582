/// The insured person as the city core confirmed it (1101). Never built from what a card
/// or code says by itself. Personal data: print it through the masked views.
public struct Identity: Sendable, Hashable, Codable {
    public struct Insurance: Sendable, Hashable, Codable {
        /// `insutype`, e.g. 310 (employees' basic medical insurance), 390 (residents').
        public var type: String
        public var typeName: String
        /// `insuplc_admdvs`: the admin division where the person is insured.
        public var region: String
        /// `balc`: the personal-account balance.
        public var balance: Money
        /// `psn_type`.
        public var personType: String
        /// `psn_insu_stas`: 1 = contributing (参保缴费).
        public var status: String
        /// Insured outside the clinic's division: settled across regions (异地就医).
        public var crossRegion: Bool

        public init(type: String, typeName: String, region: String, balance: Money,
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
    public struct SpecialIdentity: Sendable, Hashable, Codable {
        public var type: String
        public var level: String
        public var memo: String
        public init(type: String, level: String, memo: String) {
            self.type = type
            self.level = level
            self.memo = memo
        }
    }

    public var psnNo: String
    public var name: String
    public var idNumber: String
    /// `psn_cert_type`: 01 = resident identity card.
    public var idType: String
    public var gender: String
    public var birthDate: String
    public var insurances: [Insurance]
    public var identities: [SpecialIdentity]
    /// 家庭共济: the core says relatives' personal accounts may pay for this person.
    public var familyAccountSharing: Bool

    public init(psnNo: String, name: String, idNumber: String, idType: String, gender: String,
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
    public var primaryInsurance: Insurance? {
        insurances.first { $0.status == "1" } ?? insurances.first
    }
}
