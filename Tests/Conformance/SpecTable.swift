import Foundation
import TestSupport

/// The spec's input field tables (`hardware-sim/core/spec/transactions.json`) as a checker
/// of requests: required fields present and not empty, numbers written as JSON numbers
/// within their precision, text within its length, dates and times in the spec's format.
struct SpecTable {
    struct Field {
        enum Kind: Equatable { case text(Int), number(digits: Int, scale: Int), date, dateTime }
        var required: Bool
        var kind: Kind

        init(_ spec: String) {
            required = spec.hasPrefix("Y ")
            let type = required ? String(spec.dropFirst(2)) : spec
            switch type.first {
            case "s": kind = .text(Int(type.dropFirst()) ?? 0)
            case "n":
                let parts = type.dropFirst().split(separator: ",").compactMap { Int($0) }
                kind = .number(digits: parts.first ?? 0, scale: parts.count > 1 ? parts[1] : 0)
            default: kind = type == "d" ? .date : .dateTime
            }
        }
    }

    let envelope: [String: Field]
    /// infno → node (`data`, `feedetail[]`) → field → type.
    let transactions: [String: [String: [String: Field]]]

    static let path = CoreFixture.root + "/hardware-sim/core/spec/transactions.json"

    init() throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.path))) as! [String: Any]
        func fields(_ any: Any?) -> [String: Field] {
            (any as? [String: String] ?? [:]).mapValues(Field.init)
        }
        envelope = fields(object["envelope"])
        transactions = (object["transactions"] as? [String: [String: Any]] ?? [:]).mapValues { $0.mapValues(fields) }
    }

    /// Every way `request` (a whole envelope, as sent) departs from the table of `infno`.
    func problems(infno: String, request: Data) -> [String] {
        guard let envelopeObject = try? JSONSerialization.jsonObject(with: request) as? [String: Any] else {
            return ["not a JSON object"]
        }
        let numbers = Self.numberLiterals(in: request)
        var problems = check(envelopeObject, against: envelope, at: "envelope", numbers: numbers)
        guard let input = envelopeObject["input"] as? [String: Any] else { return problems + ["no input"] }
        guard let nodes = transactions[infno] else { return problems + ["no table for \(infno)"] }
        for (node, table) in nodes {
            let isList = node.hasSuffix("[]")
            let name = isList ? String(node.dropLast(2)) : node
            if isList {
                guard let rows = input[name] as? [[String: Any]], !rows.isEmpty else { problems.append("\(name) is not a list of rows"); continue }
                for (i, row) in rows.enumerated() { problems += check(row, against: table, at: "\(name)[\(i)]", numbers: numbers) }
            } else {
                guard let row = input[name] as? [String: Any] else { problems.append("\(name) is missing"); continue }
                problems += check(row, against: table, at: name, numbers: numbers)
            }
        }
        if Self.contains(key: "psn_no", in: input), (envelopeObject["insuplc_admdvs"] as? String ?? "").isEmpty {
            problems.append("insuplc_admdvs is empty although the input carries psn_no")
        }
        return problems
    }

    func check(_ row: [String: Any], against table: [String: Field], at path: String, numbers: [String: [String]]) -> [String] {
        var problems: [String] = []
        for (name, field) in table.sorted(by: { $0.key < $1.key }) {
            let value = row[name]
            let present: Bool = {
                switch value {
                case nil, is NSNull: return false
                case let s as String: return !s.isEmpty
                default: return true
                }
            }()
            if field.required && !present { problems.append("\(path).\(name) is required"); continue }
            guard present, let value else { continue }
            switch field.kind {
            case .text(let length):
                guard let s = value as? String else { problems.append("\(path).\(name) must be text"); continue }
                if s.count > length { problems.append("\(path).\(name) is longer than \(length)") }
            case .number(let digits, let scale):
                guard !(value is String) else { problems.append("\(path).\(name) must be a JSON number, not text"); continue }
                for literal in numbers[name] ?? [] {
                    let parts = literal.trimmingCharacters(in: ["-"]).split(separator: ".")
                    let fraction = parts.count > 1 ? parts[1].count : 0
                    if fraction > scale { problems.append("\(path).\(name) \(literal) has more than \(scale) decimals") }
                    if parts[0].count > digits - scale { problems.append("\(path).\(name) \(literal) is too large") }
                }
            case .date:
                guard let s = value as? String, s.count == 10, s.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else {
                    problems.append("\(path).\(name) is not yyyy-MM-dd"); continue
                }
            case .dateTime:
                guard let s = value as? String, s.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/) != nil else {
                    problems.append("\(path).\(name) is not yyyy-MM-dd HH:mm:ss"); continue
                }
            }
        }
        return problems
    }

    /// Each key's number literals exactly as written in the JSON text (`"cnt":20`).
    static func numberLiterals(in json: Data) -> [String: [String]] {
        let text = String(decoding: json, as: UTF8.self)
        var found: [String: [String]] = [:]
        for match in text.matches(of: /"([a-z_]+)"\s*:\s*(-?\d+(?:\.\d+)?)/) {
            found[String(match.1), default: []].append(String(match.2))
        }
        return found
    }

    static func contains(key: String, in object: Any) -> Bool {
        if let o = object as? [String: Any] { return o[key] != nil || o.values.contains { contains(key: key, in: $0) } }
        if let a = object as? [Any] { return a.contains { contains(key: key, in: $0) } }
        return false
    }
}
