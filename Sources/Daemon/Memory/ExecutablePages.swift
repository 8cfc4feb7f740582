import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The pages of cuntongd's own executable file that are mapped into the process, and a way to
/// give the ones not in use back to the kernel.
///
/// Why: the daemon is one static binary (the Swift runtime, Foundation and every package
/// linked in). Starting touches code and read-only data all over it: argument parsing, the
/// TOML reader, the journal's migrations, the TLS and HTTP set-up, the PC/SC and libusb
/// start. The kernel maps 64 KiB around every page fault on a file (fault-around), so after
/// start some 35 MiB of the file are mapped although an idle terminal never touches them
/// again. They are clean file pages, which the kernel would reclaim under pressure; until
/// then they count in the daemon's RSS, the figure a terminal's memory budget is checked
/// against.
///
/// Two advices, chosen per mapping from /proc/self/smaps:
/// - a mapping that is not writable and holds no private (anonymous) page, i.e. the code:
///   `MADV_DONTNEED` unmaps its pages and leaves them in the page cache, so the next visit
///   maps them again without reading the disk. (On a mapping with private pages DONTNEED
///   would throw away what was written there, such as relocated pointers: never used there.)
/// - every other mapping (read-only data after relocation, data): `MADV_PAGEOUT` (Linux 5.4)
///   reclaims the clean pages only this process maps; written pages stay (without swap) or go
///   to swap and come back on first touch.
package enum ExecutablePages {
    /// What a release did, for the log and the tests.
    package struct Release: Sendable, Equatable {
        /// The process's resident file pages (RssFile) before and after, in KiB.
        package var residentBefore: Int
        package var residentAfter: Int
        /// Mappings advised, and those the kernel refused (too old a kernel: EINVAL).
        package var mappings: Int
        package var refused: Int
    }

    /// One mapping of the executable, as /proc/self/smaps shows it.
    package struct Mapping: Equatable, Sendable {
        package var range: Range<UInt>
        package var writable: Bool
        /// Private pages (written after mapping: copy-on-write), in KiB.
        package var anonymousKiB: Int

        /// Unmapping loses nothing: the pages are exactly the file's.
        package var unmappable: Bool { !writable && anonymousKiB == 0 }
    }

    /// Advises every mapping of the running executable's file (see above). Returns nil when
    /// /proc is not there to say which mappings those are.
    @discardableResult
    package static func releaseClean() -> Release? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let smaps = readProc("/proc/self/smaps") else { return nil }
        let mappings = Self.mappings(ofFile: exe, smaps: smaps)
        let before = residentFileKiB()
        var refused = 0
        for mapping in mappings {
            // Page-aligned by construction: these are the kernel's own mapping bounds.
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.range.lowerBound) else { continue }
            let advice = mapping.unmappable ? MADV_DONTNEED : 21 /* MADV_PAGEOUT */
            if madvise(start, Int(mapping.range.upperBound - mapping.range.lowerBound), advice) != 0 { refused += 1 }
        }
        return Release(residentBefore: before ?? 0, residentAfter: residentFileKiB() ?? 0,
                       mappings: mappings.count, refused: refused)
    }

    /// The mappings of `file` in the text of a /proc/PID/smaps.
    package static func mappings(ofFile file: String, smaps: String) -> [Mapping] {
        var result: [Mapping] = []
        var current: Mapping?
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                // A field of the current mapping: "Anonymous:    12 kB".
                if first == "Anonymous:", current != nil, fields.count >= 2, let kib = Int(fields[1]) {
                    current?.anonymousKiB = kib
                }
                continue
            }
            // A mapping's header: "start-end perms offset dev inode [path]"; the path may hold spaces.
            if let done = current { result.append(done) }
            current = nil
            let bounds = first.split(separator: "-")
            guard fields.count == 6, fields[5].trimmingCharacters(in: .whitespaces) == file, bounds.count == 2,
                  let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16), low < high
            else { continue }
            current = Mapping(range: low..<high, writable: fields[1].contains("w"), anonymousKiB: 0)
        }
        if let done = current { result.append(done) }
        return result
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
