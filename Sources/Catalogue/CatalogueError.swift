import Settlement
import TerminalCore

/// What can go wrong with the catalogue, in words the technician and the doctor can act on.
/// Whatever the error, the catalogue in use is the one before: nothing partial is visible.
package enum CatalogueError: TerminalError, Equatable {
    /// The zip cannot be opened or read (damaged, cut short, a wrong checksum).
    case damagedFile(list: String, detail: String)
    /// Text that is not UTF-8 (a file in GBK, say).
    case notUTF8(list: String, line: Int)
    /// A row with fewer columns than the spec documents: the file is not what it claims.
    case shortRow(list: String, line: Int, columns: Int, expected: Int)
    /// A row without its key (column 1) or name.
    case badRow(list: String, line: Int, detail: String)
    /// A page answer that cannot be paged (no `pages`), or a refused page.
    case badPage(list: String, page: Int, detail: String)
    /// The core refused, could not be reached, or cut the download off.
    case core(list: String, SettlementError)
    case store(String)
    case unknownList(String)
    /// A mapping that cannot be made as asked.
    case mapping(String)

    package var code: String {
        switch self {
        case .damagedFile: "CATALOGUE-FILE-DAMAGED"
        case .notUTF8: "CATALOGUE-FILE-NOT-UTF8"
        case .shortRow: "CATALOGUE-FILE-SHORT-ROW"
        case .badRow: "CATALOGUE-FILE-BAD-ROW"
        case .badPage: "CATALOGUE-PAGE"
        case .core(_, let e): e.code
        case .store: "CATALOGUE-STORE"
        case .unknownList: "CATALOGUE-UNKNOWN-LIST"
        case .mapping: "CATALOGUE-MAPPING"
        }
    }

    package var message: String {
        let kept = "The catalogue in use is unchanged; the next sync starts again from its version."
        switch self {
        case .damagedFile(let list, let detail):
            return "List \(list): the downloaded file is damaged or incomplete (\(detail)). \(kept)"
        case .notUTF8(let list, let line):
            return "List \(list): line \(line) of the file is not UTF-8 text. \(kept)"
        case .shortRow(let list, let line, let columns, let expected):
            return "List \(list): line \(line) has \(columns) columns, fewer than the \(expected) the spec documents. \(kept)"
        case .badRow(let list, let line, let detail):
            return "List \(list): line \(line) \(detail). \(kept)"
        case .badPage(let list, let page, let detail):
            return "List \(list): page \(page) \(detail). \(kept)"
        case .core(let list, let e):
            return "List \(list): \(e.message) \(kept)"
        case .store(let detail):
            return "The catalogue store cannot be used (\(detail)). Check disk space and [catalogue] path."
        case .unknownList(let name):
            return "\(name) is not a catalogue list cuntong keeps (1301, 1302, 1305, 1306, 1307, 1312, 1318, 1319, 1901)."
        case .mapping(let why):
            return "The mapping cannot be changed: \(why)."
        }
    }
}
