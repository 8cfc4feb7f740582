import Foundation

/// Where a process's resident memory goes, from /proc/PID/smaps: what only it holds
/// (anonymous: heap, stacks; and file pages it wrote to, such as relocated data) and what
/// it maps from files that other processes can share (code, read-only data), per file.
struct MemoryMap {
    struct File {
        var rss = 0, privateDirty = 0
    }
    var rss = 0, pss = 0, anonymous = 0, privateDirty = 0
    var files: [String: File] = [:]

    init(pid: pid_t) {
        // Read to the end with read(2): /proc files say their size is 0, and a read sized by
        // stat stops after the first page (only the binary's own mappings).
        let data = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps")?.readDataToEndOfFile() ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        var current = "[anonymous]"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let key = fields.first else { continue }
            if key.contains("-") && !key.hasSuffix(":") {
                // A mapping's header: address range, perms, offset, dev, inode, [path].
                current = fields.count >= 6 ? String(fields[5...].joined(separator: " ")) : "[anonymous]"
                continue
            }
            guard fields.count >= 2, let kb = Int(fields[1]) else { continue }
            switch key {
            case "Rss:":
                rss += kb
                if current.hasPrefix("/") { files[current, default: File()].rss += kb }
            case "Pss:": pss += kb
            case "Anonymous:": anonymous += kb
            case "Private_Dirty:":
                privateDirty += kb
                if current.hasPrefix("/") { files[current, default: File()].privateDirty += kb }
            default: break
            }
        }
    }

    /// Lines for the benchmark's output, KiB shown as MiB with one decimal.
    func report(top: Int = 8) -> [String] {
        func mib(_ kb: Int) -> String { String(format: "%.1f MiB", Double(kb) / 1024) }
        let fileRSS = files.values.reduce(0) { $0 + $1.rss }
        var lines = [
            "  RSS \(mib(rss)) = anonymous (heap, stacks, relocated data) \(mib(anonymous)) + file-backed \(mib(fileRSS))"
                + " (+ \(mib(max(0, rss - anonymous - fileRSS))) other)",
            "  private dirty (only this process, not reclaimable without swap) \(mib(privateDirty)); PSS \(mib(pss))",
            "  file-backed, largest first (clean pages are shared and reclaimable):",
        ]
        for (path, file) in files.sorted(by: { $0.value.rss > $1.value.rss }).prefix(top) {
            let name = (path as NSString).lastPathComponent
            lines.append("    \(name): \(mib(file.rss))" + (file.privateDirty > 0 ? " (\(mib(file.privateDirty)) dirty)" : ""))
        }
        return lines
    }
}
