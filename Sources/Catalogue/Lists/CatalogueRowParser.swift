import Foundation

// The catalogue file's text, apart from the zip around it: pure code (Foundation only), so
// that Fuzz/ can compile it alone. A line is tab-separated, `null` is nothing, empty fields
// keep their place.

/// One record of a catalogue file: the kept columns, `nil` where the file says `null` or
/// nothing. Dates are `yyyy-MM-dd`, times `yyyy-MM-dd HH:mm:ss`, whatever way the file wrote
/// them (Java's `Date.toString()` included).
package struct CatalogueRecord: Sendable, Hashable {
    package var key: String
    package var code: String
    package var name: String
    package var tradeName: String?
    package var dosageForm: String?
    package var spec: String?
    package var unit: String?
    package var validFrom: String?
    package var validTo: String?
    package var wubi: String?
    package var pinyin: String?
    package var manufacturer: String?
    package var approvalNo: String?
    /// "1" valid, "0" not; nil when the file does not say.
    package var valid: String?
    package var updatedAt: String?
    package var version: String?
    /// 甲, 乙 or 丙.
    package var level: String?
}

/// What is wrong in a file's text, by line; `CatalogueFileReader` names the list.
package enum CatalogueFileProblem: Error, Equatable {
    case notUTF8(line: Int)
    case shortRow(line: Int, columns: Int, expected: Int)
    case badRow(line: Int, detail: String)
}

/// Parses one line of a catalogue file into a record of the kept columns.
package struct CatalogueRowParser: Sendable {
    package let columns: CatalogueColumns
    /// The spec's column count: fewer is refused, more is noted.
    package let documentedColumns: Int

    package init(columns: CatalogueColumns, documentedColumns: Int) {
        self.columns = columns
        self.documentedColumns = documentedColumns
    }

    /// One line's record; nil for a line of whitespace only.
    package func parse(_ line: ArraySlice<UInt8>, lineNumber: Int, extraColumns: inout Int?) throws(CatalogueFileProblem) -> CatalogueRecord? {
        var fields: [Range<Int>] = []
        fields.reserveCapacity(documentedColumns + 2)
        var start = line.startIndex
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == 0x09 {
                fields.append(start..<i)
                start = i + 1
            }
            i += 1
        }
        fields.append(start..<line.endIndex)
        if fields.count == 1, line.allSatisfy({ $0 == 0x20 }) { return nil }
        // Some writers end every line with a tab: one empty field past the documented ones.
        if fields.count == documentedColumns + 1, fields.last!.isEmpty { fields.removeLast() }
        guard fields.count >= documentedColumns else {
            throw .shortRow(line: lineNumber, columns: fields.count, expected: documentedColumns)
        }
        if fields.count > documentedColumns { extraColumns = max(extraColumns ?? 0, fields.count) }
        func text(_ column: Int?) throws(CatalogueFileProblem) -> String? {
            guard let column else { return nil }
            let bytes = line[fields[column - 1]]
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw .notUTF8(line: lineNumber)
            }
            let t = s.trimmingCharacters(in: .whitespaces)
            return t.isEmpty || t == "null" || t == "NULL" ? nil : t
        }
        let c = columns
        guard let key = try text(c.key) else {
            throw .badRow(line: lineNumber, detail: "has no code in column \(c.key)")
        }
        let tradeName = try text(c.tradeName)
        guard let name = try text(c.name) ?? tradeName else {
            throw .badRow(line: lineNumber, detail: "has no name in column \(c.name)")
        }
        return CatalogueRecord(
            key: key, code: try text(c.code) ?? key, name: name, tradeName: tradeName,
            dosageForm: try text(c.dosageForm), spec: try text(c.spec), unit: try text(c.unit),
            validFrom: try text(c.validFrom).flatMap(PlatformDate.day), validTo: try text(c.validTo).flatMap(PlatformDate.day),
            wubi: try text(c.wubi), pinyin: try text(c.pinyin), manufacturer: try text(c.manufacturer),
            approvalNo: try text(c.approvalNo), valid: try text(c.valid), updatedAt: try text(c.updatedAt).flatMap(PlatformDate.time),
            version: try text(c.version), level: try text(c.level).flatMap(ChargeLevel.normalized))
    }
}

/// Splits a byte stream into lines (LF, with a CR before it dropped), across chunk borders.
package struct LineSplitter {
    package init() {}

    private var pending: [UInt8] = []

    package mutating func feed(_ chunk: Data, _ take: (ArraySlice<UInt8>) throws -> Void) throws {
        try chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var start = 0
            var i = 0
            let n = raw.count
            while i < n {
                if raw[i] == 0x0A {
                    if pending.isEmpty {
                        var line = Array(raw[start..<i])[...]
                        if line.last == 0x0D { line = line.dropLast() }
                        try take(line)
                    } else {
                        pending.append(contentsOf: raw[start..<i])
                        var line = pending[...]
                        if line.last == 0x0D { line = line.dropLast() }
                        try take(line)
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = i + 1
                }
                i += 1
            }
            if start < n { pending.append(contentsOf: raw[start..<n]) }
        }
    }

    package mutating func finish(_ take: (ArraySlice<UInt8>) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        var line = pending[...]
        if line.last == 0x0D { line = line.dropLast() }
        try take(line)
        pending.removeAll()
    }
}

/// 甲/乙/丙 from the ways files and pages write it: `01`/`1`/`甲类`/`甲`, and so on.
package enum ChargeLevel {
    package static func normalized(_ text: String) -> String? {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "01", "1", "甲", "甲类", "A", "a": "甲"
        case "02", "2", "乙", "乙类", "B", "b": "乙"
        case "03", "3", "丙", "丙类", "C", "c": "丙"
        default: nil
        }
    }
}

/// The platform's dates as files and answers write them: `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss`,
/// `yyyyMMdd`, or Java's `Date.toString()` (`Mon Dec 28 14:04:04 CST 2020`, CST being China
/// time on these systems).
package enum PlatformDate {
    static let months = ["Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06",
                         "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12"]

    /// `yyyy-MM-dd HH:mm:ss` (the time 00:00:00 when only a day is given); nil when unreadable.
    package static func time(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: " ")
        if parts.count == 6, let month = months[String(parts[1])], parts[2].count <= 2, parts[3].count == 8, parts[5].count == 4,
           parts[2].allSatisfy(\.isNumber), parts[5].allSatisfy(\.isNumber) {
            let day = parts[2].count == 1 ? "0" + parts[2] : String(parts[2])
            return "\(parts[5])-\(month)-\(day) \(parts[3])"
        }
        let chars = Array(t)
        if chars.count >= 10, chars[4] == "-", chars[7] == "-" {
            let day = String(chars[0..<10])
            if chars.count >= 19, chars[10] == " " || chars[10] == "T" { return day + " " + String(chars[11..<19]) }
            return day + " 00:00:00"
        }
        if chars.count == 8, chars.allSatisfy(\.isNumber) {
            return "\(String(chars[0..<4]))-\(String(chars[4..<6]))-\(String(chars[6..<8])) 00:00:00"
        }
        if chars.count == 14, chars.allSatisfy(\.isNumber) {
            return "\(String(chars[0..<4]))-\(String(chars[4..<6]))-\(String(chars[6..<8])) \(String(chars[8..<10])):\(String(chars[10..<12])):\(String(chars[12..<14]))"
        }
        return nil
    }

    /// `yyyy-MM-dd`.
    package static func day(_ text: String) -> String? { time(text).map { String($0.prefix(10)) } }
}
