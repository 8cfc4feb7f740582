import Foundation

// Decodes arbitrary bytes as a page answer's output (1312/1317/1318/1319) and a catalogue
// file answer (130x): the liberal readers must never crash, and a page they accept has
// sane paging.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let page = try? JSONDecoder().decode(PageOutput.self, from: bytes) {
        // `null` and "" are left out of a row: a kept field always has a value.
        for row in page.rows { for (_, v) in row.fields where v.isEmpty { fatalError("an empty value kept") } }
    }
    _ = try? JSONDecoder().decode(CatalogueFileOutput.self, from: bytes)
    _ = try? JSONDecoder().decode(DictionaryOutput.self, from: bytes)
    return 0
}
