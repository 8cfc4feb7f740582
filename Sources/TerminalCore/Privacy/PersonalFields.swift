/// The one table of what identifies a person in the national platform's messages and the
/// e-credential platform's: used to mask them in logs and output, to seal them in the
/// journal, and to erase them once a day has been reconciled. A new transaction's personal
/// field goes here, and every one of those places knows it.
///
/// Field names are the platforms' own (the spec's field tables; docs/national-platform.md).
package enum PersonalFields {
    package enum Kind: Sendable, Hashable {
        /// 身份证号 and other certificate numbers: region kept, the rest starred.
        case idNumber
        /// 姓名: first (and last) character kept.
        case name
        /// Card numbers, tokens, person numbers: first and last two kept.
        case identifier
        /// Free-form content that may hold any of the above: hidden whole.
        case opaque
    }

    package static let table: [String: Kind] = [
        // Certificate numbers.
        "certno": .idNumber, "idNo": .idNumber,
        // Names: the patient's, and the doctors' and operators' (staff are persons too).
        "psn_name": .name, "userName": .name, "opter_name": .name, "dr_name": .name,
        "bilg_dr_name": .name, "dise_dor_name": .name,
        // Identifiers that lead to one person.
        "mdtrt_cert_no": .identifier, "card_sn": .identifier, "psn_no": .identifier, "ecToken": .identifier,
        "ecQrCode": .identifier, "authNo": .identifier, "ecIndexNo": .identifier, "emp_name": .identifier,
        "sign_no": .identifier,
        // Extension content and the face terminal's result.
        "exp_content": .opaque, "expContent": .opaque, "extData": .opaque,
    ]

    package static func kind(of key: String) -> Kind? { table[key] }

    package static func isPersonal(_ key: String) -> Bool { table[key] != nil }

    /// The value masked for showing, by the key's kind; nil when the key is not personal.
    package static func masked(_ value: String, key: String) -> String? {
        switch table[key] {
        case nil: nil
        case .idNumber?: Masking.idNumber(value)
        case .name?: Masking.name(value)
        case .identifier?: Masking.identifier(value)
        case .opaque?: "***"
        }
    }
}
