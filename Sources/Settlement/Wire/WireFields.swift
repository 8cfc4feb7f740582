import Foundation
import TerminalCore

/// A coding key for any field name: answers are read by the spec's names, one at a time.
struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads an answer's object as real city cores write it (DESIGN.md, "City core"): a field
/// may be a JSON number or a numeric string, an optional field may be `null`, `""` or left
/// out, and fields cuntong does not use are never looked at. Required fields that are
/// missing, and amounts that are not exact yuan, are errors that name the field.
struct WireFields {
    let container: KeyedDecodingContainer<FieldKey>

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: FieldKey.self)
    }

    /// Absent, `null`, or an empty string: what cores send for an optional field with no value.
    func isEmpty(_ name: String) -> Bool {
        let key = FieldKey(name)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) != true else { return true }
        if let s = try? container.decode(String.self, forKey: key), s.trimmingCharacters(in: .whitespaces).isEmpty {
            return true
        }
        return false
    }

    private func missing(_ name: String) -> DecodingError {
        .keyNotFound(FieldKey(name), .init(codingPath: container.codingPath,
                                           debugDescription: "\(name) is required and was missing or null"))
    }

    /// A required text field; a number is taken as its decimal text (`310` → `"310"`).
    func text(_ name: String) throws -> String {
        guard let value = optionalText(name) else { throw missing(name) }
        return value
    }

    /// An optional text field: nil when absent, null or empty, and when it is neither a
    /// string nor a number (cuntong only reads it, so a stray shape is not worth refusing).
    func optionalText(_ name: String) -> String? {
        guard !isEmpty(name) else { return nil }
        let key = FieldKey(name)
        if let s = try? container.decode(String.self, forKey: key) { return s }
        if let d = try? container.decode(Decimal.self, forKey: key) { return d.plainText }
        return nil
    }

    func money(_ name: String) throws -> Money {
        guard let value = try optionalMoney(name) else { throw missing(name) }
        return value
    }

    /// An optional amount: nil when absent, null or empty; an error when present but not
    /// exact yuan (an amount is never guessed or dropped).
    func optionalMoney(_ name: String) throws -> Money? {
        guard !isEmpty(name) else { return nil }
        return try container.decode(Money.self, forKey: FieldKey(name))
    }

    func optionalDecimal<P>(_ name: String, _ type: FixedDecimal<P>.Type = FixedDecimal<P>.self) throws -> FixedDecimal<P>? {
        guard !isEmpty(name) else { return nil }
        return try container.decode(FixedDecimal<P>.self, forKey: FieldKey(name))
    }

    func optionalQuantity(_ name: String) throws -> Quantity? {
        guard !isEmpty(name) else { return nil }
        return try container.decode(Quantity.self, forKey: FieldKey(name))
    }

    func object<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> T {
        guard !isEmpty(name) else { throw missing(name) }
        return try container.decode(T.self, forKey: FieldKey(name))
    }

    func optionalObject<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> T? {
        guard !isEmpty(name) else { return nil }
        return try container.decode(T.self, forKey: FieldKey(name))
    }

    /// A list that may be absent or null (an empty list then).
    func list<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> [T] {
        guard !isEmpty(name) else { return [] }
        return try container.decode([T].self, forKey: FieldKey(name))
    }
}
