import Foundation

// Feeds arbitrary bytes to the catalogue file's line splitter and row parser (1301's
// layout) in chunks: a record must never come out of a line the parser should refuse, and a
// record always has its code and name; nothing may crash or read past a line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let columns = CatalogueColumns(key: 1, code: nil, name: 4, tradeName: 2, dosageForm: 11, spec: 14, unit: 46,
                                   validFrom: 37, validTo: 38, wubi: 50, pinyin: 51, manufacturer: 54, approvalNo: 62,
                                   valid: 79, updatedAt: 82, version: 83, level: 92)
    // Small documented counts too, so that short inputs reach the field extraction.
    for documented in [92, 4, 1] {
        var cols = columns
        if documented < 92 { cols = CatalogueColumns(key: 1, code: nil, name: min(documented, 2)) }
        let parser = CatalogueRowParser(columns: cols, documentedColumns: documented)
        var splitter = LineSplitter()
        var extra: Int?
        var line = 0
        let width = Int((bytes.first ?? 0) % 32) + 1
        func take(_ l: ArraySlice<UInt8>) {
            line += 1
            if l.contains(0x0A) { fatalError("a newline inside a line") }
            if let record = try? parser.parse(l, lineNumber: line, extraColumns: &extra) {
                if record.key.isEmpty || record.name.isEmpty { fatalError("a record without its code or name") }
            }
        }
        var i = 0
        while i < bytes.count {
            try? splitter.feed(Data(bytes[i..<min(i + width, bytes.count)]), take)
            i += width
        }
        try? splitter.finish(take)
        _ = PlatformDate.time(String(decoding: bytes.prefix(40), as: UTF8.self))
    }
    return 0
}
