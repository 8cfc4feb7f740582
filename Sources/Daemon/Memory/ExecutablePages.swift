import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The pages of cuntongd's own executable file that are resident, and a way to give the
/// clean ones back to the kernel.
///
/// Why: the daemon is one static binary (the Swift runtime, Foundation and every package
/// linked in). Starting touches code and read-only data all over it: argument parsing, the
/// TOML reader, the journal's migrations, the TLS and HTTP set-up, the PC/SC and libusb
/// start. The kernel maps 64 KiB around every page fault on a file (fault-around), so after
/// start some 30 MiB of the file are mapped into the process although an idle terminal never
/// touches them again. They are clean file pages: the kernel would reclaim them under
/// pressure, but until then they count in the daemon's RSS, which is the figure a terminal's
/// memory budget is checked against.
///
/// `MADV_PAGEOUT` (Linux 5.4) reclaims them now. Only pages this process alone maps go; a
/// page that a visit needs later is read back (from the page cache, if still there) on its
/// first touch. Dirty pages (relocated data, the heap) are not touched: without swap they
/// stay.
package enum ExecutablePages {
    /// What a release did, for the log.
    package struct Release: Sendable, Equatable {
        /// The process's resident file pages (RssFile) before and after, in KiB.
        package var residentBefore: Int
        package var residentAfter: Int
        /// Mappings advised, and those the kernel refused (too old a kernel: EINVAL).
        package var mappings: Int
        package var refused: Int
    }

    /// Advises every mapping of the running executable's file with `MADV_PAGEOUT`.
    /// Returns nil when /proc is not there to say which mappings those are.
    @discardableResult
    package static func releaseClean() -> Release? {
        guard let maps = ownMappings() else { return nil }
        let before = residentFileKiB()
        var refused = 0
        for mapping in maps {
            // Page-aligned by construction: these are the kernel's own mapping bounds.
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.lowerBound) else { continue }
            if madvise(start, Int(mapping.upperBound - mapping.lowerBound), 21 /* MADV_PAGEOUT */) != 0 { refused += 1 }
        }
        return Release(residentBefore: before ?? 0, residentAfter: residentFileKiB() ?? 0,
                       mappings: maps.count, refused: refused)
    }

    /// The address ranges /proc/self/maps lists for the executable's own file.
    static func ownMappings() -> [Range<UInt>]? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let text = readProc("/proc/self/maps") else { return nil }
        var ranges: [Range<UInt>] = []
        for line in text.split(separator: "\n") {
            // "start-end perms offset dev inode path"; the path may hold spaces.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5].trimmingCharacters(in: .whitespaces) == exe else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16),
                  low < high else { continue }
            ranges.append(low..<high)
        }
        return ranges
    }

    /// RssFile of this process, in KiB (the kernel's own count of its resident file pages).
    package static func residentFileKiB() -> Int? {
        guard let status = readProc("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssFile:") {
            return Int(line.dropFirst("RssFile:".count).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }

    /// A /proc file read to its end: they say their size is 0, so a read sized by stat
    /// would stop after the first page.
    static func readProc(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
