import Foundation

/// The platform's codes as the sheet names them (docs/receipts.md, "Where each field comes
/// from"). A code not listed here is printed as the core wrote it.
enum SheetVocabulary {
    /// `insutype` (险种类型).
    static let insuranceTypes: [String: String] = [
        "310": "职工基本医疗保险", "320": "公务员医疗补助", "330": "大额医疗费用补助", "340": "离休人员医疗保障",
        "390": "城乡居民基本医疗保险", "391": "城乡居民大病医疗保险", "510": "生育保险",
    ]

    /// `med_type` (医疗类别), the outpatient ones a village clinic settles.
    static let medicalTypes: [String: String] = ["11": "普通门诊", "13": "急诊", "14": "门诊慢特病"]

    /// `gend`.
    static let genders: [String: String] = ["1": "男", "2": "女"]

    /// `med_chrgitm_type` (收费项目类别) of a 2204 answer row.
    static let chargeItemTypes: [String: FeeCategory] = [
        "01": .bed, "02": .consultation, "03": .examination, "04": .laboratory, "05": .treatment, "06": .surgery,
        "07": .nursing, "08": .material, "09": .westernDrug, "10": .herbs, "11": .patentDrug, "12": .consultation,
        "13": .registration, "14": .other,
    ]
}

extension FeeCategory {
    /// The category of a fee row, from the best source at hand: the national code's own
    /// structure (drug codes begin X 西药, Z 中成药, T 中药饮片; material codes C; a service's
    /// price-item code by its chapter), then the core's `med_chrgitm_type` for the row, then
    /// the price list's category, then the catalogue list the code is in.
    static func classify(code: String, coreType: String?, priceListCategory: String?, catalogueKind: String?) -> FeeCategory {
        if let c = fromCode(code) { return c }
        if let t = coreType, let c = SheetVocabulary.chargeItemTypes[t] { return c }
        if let p = priceListCategory, let c = fromWord(p) { return c }
        if let k = catalogueKind, let c = fromWord(k) { return c }
        return .other
    }

    static func fromCode(_ raw: String) -> FeeCategory? {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count >= 9, let first = code.first else { return nil }
        let rest = code.dropFirst()
        if first.isLetter {
            guard rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            switch first {
            case "X": return .westernDrug
            case "Z": return .patentDrug
            case "T": return rest.allSatisfy(\.isNumber) ? .herbs : nil
            case "C": return rest.allSatisfy(\.isNumber) ? .material : nil
            default: return nil
            }
        }
        // A service: the price-item code (after the "-" of the national code), by chapter of
        // the national service price items (1 综合, 2 医技, 3 临床, 4 中医).
        let item = code.split(separator: "-").last.map(String.init) ?? code
        guard item.count == 9, item.allSatisfy(\.isNumber) else { return nil }
        switch String(item.prefix(4)) {
        case "1101": return .registration
        default: break
        }
        switch String(item.prefix(2)) {
        case "11": return .consultation
        case "12", "24": return .treatment
        case "21", "22", "23", "27": return .examination
        case "25", "26": return .laboratory
        case "33": return .surgery
        default: return item.first == "3" || item.first == "4" ? .treatment : nil
        }
    }

    /// A price list's or catalogue's word for the kind of item.
    static func fromWord(_ word: String) -> FeeCategory? {
        let w = word.trimmingCharacters(in: .whitespaces)
        if let c = FeeCategory(rawValue: w) ?? FeeCategory(rawValue: String(w.dropLast()) ) { return c }
        switch w.lowercased() {
        case "drug", "medicine": return .westernDrug
        case "patent", "patent-drug", "tcm-drug": return .patentDrug
        case "herb", "herbs": return .herbs
        case "exam", "examination": return .examination
        case "lab", "laboratory", "test": return .laboratory
        case "service", "treatment": return .treatment
        case "consultation": return .consultation
        case "material": return .material
        case "registration": return .registration
        default: return nil
        }
    }
}
