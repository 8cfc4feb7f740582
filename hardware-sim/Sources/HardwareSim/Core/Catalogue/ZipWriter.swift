import Foundation
import ZIPFoundation

/// Zips one file (deflate, via ZIPFoundation over zlib), written to a temporary name and
/// renamed into place.
enum ZipWriter {
    static func zip(file: URL, entryName: String, to destination: URL) throws {
        let tmp = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).tmp")
        try? FileManager.default.removeItem(at: tmp)
        do {
            // Its own scope: the archive is closed (flushed) before the rename.
            let archive = try Archive(url: tmp, accessMode: .create)
            try archive.addEntry(with: entryName, fileURL: file, compressionMethod: .deflate)
        }
        try FileManager.default.moveItem(at: tmp, to: destination)
    }

    /// The entries (name, uncompressed size) of a zip held in memory, nil if it is no zip.
    static func entries(of data: Data) -> [(String, Int)]? {
        guard let archive = try? Archive(data: data, accessMode: .read) else { return nil }
        return archive.map { ($0.path, Int($0.uncompressedSize)) }
    }
}

/// The one entry of a zip (its name and bytes), for tests that read what the core serves.
package enum ZipReading {
    package static func singleEntry(of data: Data) -> (name: String, bytes: Data)? {
        guard let archive = try? Archive(data: data, accessMode: .read), let entry = archive.makeIterator().next() else { return nil }
        var bytes = Data()
        guard (try? archive.extract(entry, consumer: { bytes.append($0) })) != nil else { return nil }
        return (entry.path, bytes)
    }
}
