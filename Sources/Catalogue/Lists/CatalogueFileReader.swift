import Foundation
import Logging
import ZIPFoundation

/// Reads a catalogue zip as the platform serves it: one `.txt` inside, UTF-8, tab-separated,
/// one record a line, no header, `null` for empty. Streams: the file is decompressed in
/// chunks and each line handed on as it completes, so memory stays flat whatever the size.
/// Empty fields are kept (a tokenizer that drops them would shift every later column).
package struct CatalogueFileReader {
    package let list: CatalogueList
    let log: Logger

    package init(list: CatalogueList, logger: Logger = Logger(label: "cuntong.catalogue")) {
        self.list = list
        self.log = logger
    }

    package struct Stats: Sendable, Equatable {
        package var rows = 0
        /// The most columns seen on a row, when more than documented (a newer spec).
        package var extraColumns: Int?
    }

    /// Calls `body` for each record, in file order. Throws at the first thing wrong, before
    /// or after some records were handed on: the caller's transaction makes that all or nothing.
    package func read(zip url: URL, _ body: (CatalogueRecord) throws -> Void) throws -> Stats {
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw CatalogueError.damagedFile(list: list.infno, detail: "it is not a readable zip: it may be cut short")
        }
        let entries = Array(archive).filter { $0.type == .file }
        guard let entry = entries.first(where: { $0.path.lowercased().hasSuffix(".txt") }) ?? entries.first else {
            throw CatalogueError.damagedFile(list: list.infno, detail: "the zip holds no file")
        }
        var splitter = LineSplitter()
        let parser = CatalogueRowParser(columns: list.columns, documentedColumns: list.documentedColumns)
        var stats = Stats()
        var lineNumber = 0
        func take(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            if line.isEmpty { return }
            let record: CatalogueRecord?
            do { record = try parser.parse(line, lineNumber: lineNumber, extraColumns: &stats.extraColumns) } catch {
                throw CatalogueError(error, list: list.infno)
            }
            if let record {
                stats.rows += 1
                try body(record)
            }
        }
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false) { chunk in
                try splitter.feed(chunk, take)
            }
            try splitter.finish(take)
        } catch let e as CatalogueError {
            throw e
        } catch {
            throw CatalogueError.damagedFile(list: list.infno, detail: "it cannot be decompressed (\(error))")
        }
        if let extra = stats.extraColumns {
            log.notice("the catalogue file has more columns than documented; the known ones are kept",
                       metadata: ["list": "\(list.infno)", "columns": "\(extra)", "documented": "\(list.documentedColumns)"])
        }
        return stats
    }
}

extension CatalogueError {
    init(_ problem: CatalogueFileProblem, list: String) {
        switch problem {
        case .notUTF8(let line): self = .notUTF8(list: list, line: line)
        case .shortRow(let line, let columns, let expected): self = .shortRow(list: list, line: line, columns: columns, expected: expected)
        case .badRow(let line, let detail): self = .badRow(list: list, line: line, detail: detail)
        }
    }
}
