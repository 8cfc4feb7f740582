import Crypto
import Foundation
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The generated catalogue on disk: one zip per list and version, an index (SQLite) of every
/// item's final state for 1312/1318/1319, 2204 and 3301, and a manifest. Kept in a cache
/// directory shared by every simulator of the machine (keyed by a hash of the generator's
/// parameters), written once (under a file lock, into a temporary directory renamed into
/// place), so that many simulated cores in tests do not regenerate it.
package final class CatalogueStore: Sendable {
    struct FileEntry: Codable, Sendable {
        var list: String
        var version: Int
        var ver: String
        var verName: String
        var fileQuryNo: String
        var filename: String
        var dataCnt: Int
        var zip: String
        var size: Int
    }

    struct Manifest: Codable, Sendable { var files: [FileEntry] }

    struct Ready: Sendable {
        var manifest: Manifest
        var index: DatabaseQueue
    }

    enum State {
        case pending([CheckedContinuation<Void, Never>])
        case ready(Ready)
        case failed(String)
    }

    let generator: CatalogueGenerator
    package let directory: String
    let key: String
    private let state = Mutex<State>(.pending([]))
    private let condition = NSCondition()

    /// Bumped whenever the generator's output changes, so that old caches are not reused.
    static let generatorVersion = "cat-4"

    package init(layoutPath: String, drugRows: Int, cacheRoot: String? = nil) throws {
        let layouts = try CatalogueLayout.load(path: layoutPath)
        generator = CatalogueGenerator(layouts: layouts, drugRows: drugRows)
        let layoutBytes = try Data(contentsOf: URL(fileURLWithPath: layoutPath))
        var hash = SHA256()
        hash.update(data: Data("\(Self.generatorVersion)|\(drugRows)|".utf8))
        hash.update(data: layoutBytes)
        key = hash.finalize().map { String(format: "%02x", $0) }.joined().prefix(16).description
        let root = cacheRoot ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("cuntong-sim-catalogue")
        directory = (root as NSString).appendingPathComponent("\(drugRows)-\(key)")
    }

    /// Generates (or finds) the catalogue on a thread of its own; `ready()` waits for it.
    package func start() {
        let thread = Thread { [self] in
            let result: State
            do { result = .ready(try prepare()) } catch { result = .failed("\(error)") }
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                defer { s = result }
                if case .pending(let w) = s { return w }
                return []
            }
            condition.lock(); condition.broadcast(); condition.unlock()
            for w in waiters { w.resume() }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Waits (asynchronously) until the catalogue is ready or failed.
    package func ready() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if case .pending(var w) = s { w.append(c); s = .pending(w); return false }
                return true
            }
            if resumeNow { c.resume() }
        }
    }

    /// The catalogue, waiting (blocking) for it if it is still being generated.
    func get() throws(CoreRefusal) -> Ready {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch state.withLock({ $0 }) {
            case .ready(let r): return r
            case .failed(let why): throw CoreRefusal("目录服务不可用: \(why)")
            case .pending: condition.wait()
            }
        }
    }

    // MARK: Generation

    private func prepare() throws -> Ready {
        let fm = FileManager.default
        let root = (directory as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let manifestPath = directory + "/manifest.json"
        if !fm.fileExists(atPath: manifestPath) {
            try Self.locked(directory + ".lock") {
                guard !fm.fileExists(atPath: manifestPath) else { return }
                let tmp = directory + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                try? fm.removeItem(atPath: tmp)
                try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
                do {
                    try generate(into: tmp)
                    try? fm.removeItem(atPath: directory)
                    try fm.moveItem(atPath: tmp, toPath: directory)
                } catch {
                    try? fm.removeItem(atPath: tmp)
                    throw error
                }
            }
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        var config = Configuration()
        config.readonly = true
        return Ready(manifest: manifest, index: try DatabaseQueue(path: directory + "/index.sqlite", configuration: config))
    }

    /// Runs `body` holding an exclusive lock on `path` (flock: across processes).
    static func locked(_ path: String, _ body: () throws -> Void) throws {
        let fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw CatalogueError("cannot open lock \(path)") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        try body()
    }

    private func generate(into dir: String) throws {
        let index = try DatabaseQueue(path: dir + "/index.sqlite")
        try index.write { db in
            try db.execute(sql: """
                CREATE TABLE item (code TEXT PRIMARY KEY, list TEXT NOT NULL, name TEXT NOT NULL, list_type TEXT NOT NULL,
                                   chrgitm_type TEXT NOT NULL, level TEXT NOT NULL, lmt_used TEXT NOT NULL, wubi TEXT NOT NULL,
                                   pinyin TEXT NOT NULL, begin TEXT NOT NULL, end TEXT, valid INTEGER NOT NULL, rid TEXT NOT NULL,
                                   updated TEXT NOT NULL, ver TEXT NOT NULL, cap TEXT, selfpay TEXT);
                CREATE INDEX item_updated ON item (updated, code);
                """)
        }
        var files: [FileEntry] = []
        for list in CatalogueLayout.lists {
            let plan = generator.plan(list)
            for k in plan.versions.indices {
                let entry = naming(plan, k)
                try index.write { db in
                    let insert = try db.makeStatement(sql: """
                        INSERT OR REPLACE INTO item (code, list, name, list_type, chrgitm_type, level, lmt_used, wubi, pinyin, begin,
                                                     end, valid, rid, updated, ver, cap, selfpay)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    try writeZip(plan, k, entry: entry, into: dir, variant: .normal) { item in
                        try insert.execute(arguments: [
                            item.code, item.list, item.name, CatalogueLayout.listType[item.list] ?? "", item.chrgitmType,
                            item.level, item.lmtUsed, item.wubi, item.pinyin, item.begin, item.end, item.valid ? 1 : 0,
                            item.rid, item.updated, item.ver, item.cap, item.selfpay])
                    }
                }
                var e = entry
                e.size = (try FileManager.default.attributesOfItem(atPath: dir + "/" + e.zip)[.size] as? Int) ?? 0
                files.append(e)
            }
        }
        try index.close()
        let data = try JSONEncoder().encode(Manifest(files: files))
        try data.write(to: URL(fileURLWithPath: dir + "/manifest.json"), options: .atomic)
    }

    /// The wire names of a version's file: a 30-character file_qury_no and a 27-digit
    /// filename ending in .txt.zip, as recorded samples have them.
    private func naming(_ plan: CatalogueGenerator.Plan, _ k: Int) -> FileEntry {
        let digest = SHA256.hash(data: Data("\(key)|\(plan.list)|\(k)".utf8))
        let digits = digest.map { String(format: "%03d", Int($0)) }.joined()
        let day = k == 0 ? "20241230" : "20250630"
        let fileQuryNo = plan.list + String(k + 1) + day + String(digits.prefix(17))
        let filename = day + String(digits.dropFirst(17).prefix(19)) + ".txt.zip"
        return FileEntry(list: plan.list, version: k, ver: plan.versions[k], verName: plan.versionNames[k], fileQuryNo: fileQuryNo,
                         filename: filename, dataCnt: plan.count(of: k), zip: "\(plan.list)-v\(k + 1).zip", size: 0)
    }

    package enum Variant: String, Sendable { case normal, gbk, shortRow = "short-row" }

    /// Streams version k's rows into `<filename without .zip>` (UTF-8 or, for `.gbk`, GBK),
    /// then zips it as `entry.zip` (with a variant suffix) in `dir`.
    private func writeZip(_ plan: CatalogueGenerator.Plan, _ k: Int, entry: FileEntry, into dir: String, variant: Variant,
                          item: (CatalogueItem) throws -> Void) throws {
        let txtName = String(entry.filename.dropLast(4))
        let work = dir + "/work-\(variant.rawValue)-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let txt = URL(fileURLWithPath: work + "/" + txtName)
        FileManager.default.createFile(atPath: txt.path, contents: nil)
        let out = try FileHandle(forWritingTo: txt)
        var buffer = Data()
        buffer.reserveCapacity(1 << 20)
        func flush() throws {
            try out.write(contentsOf: variant == .gbk ? try Self.gbk(buffer) : buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        for (n, i) in plan.rows(of: k).enumerated() {
            let (row, indexed) = generator.row(plan.list, i, version: k, plan: plan)
            var values = row.values
            if variant == .shortRow, n == 2 { values.removeLast(min(10, values.count / 3)) }
            buffer.append(contentsOf: values.joined(separator: "\t").utf8)
            buffer.append(0x0A)
            if let indexed { try item(indexed) }
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
        try out.close()
        let zip = URL(fileURLWithPath: dir + "/" + Self.zipName(entry, variant))
        try? FileManager.default.removeItem(at: zip)
        try ZipWriter.zip(file: txt, entryName: txtName, to: zip)
    }

    static func zipName(_ entry: FileEntry, _ variant: Variant) -> String {
        variant == .normal ? entry.zip : entry.zip.replacingOccurrences(of: ".zip", with: ".\(variant.rawValue).zip")
    }

    // MARK: Serving

    /// The file of the version after `ver` ("0" or anything lower than the first: the first),
    /// nil when `ver` is the newest. Versions compare as strings.
    func next(list: String, after ver: String) throws(CoreRefusal) -> FileEntry? {
        try get().manifest.files.filter { $0.list == list }.sorted { $0.version < $1.version }.first { $0.ver > ver }
    }

    func entry(fileQuryNo: String) throws(CoreRefusal) -> FileEntry? {
        try get().manifest.files.first { $0.fileQuryNo == fileQuryNo }
    }

    /// The zip to serve: the file itself, or a variant (made the first time it is asked for).
    func zipPath(_ entry: FileEntry, variant: Variant) throws -> String {
        let path = directory + "/" + Self.zipName(entry, variant)
        guard variant != .normal, !FileManager.default.fileExists(atPath: path) else { return path }
        try Self.locked(directory + "/variants.lock") {
            guard !FileManager.default.fileExists(atPath: path) else { return }
            let tmp = directory + "/tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            try writeZip(generator.plan(entry.list), entry.version, entry: entry, into: tmp, variant: variant) { _ in }
            try FileManager.default.moveItem(atPath: tmp + "/" + Self.zipName(entry, variant), toPath: path)
        }
        return path
    }

    /// UTF-8 → GBK with glibc's iconv (the fault `zip-not-utf8`).
    static func gbk(_ data: Data) throws -> Data {
        let cd = iconv_open("GBK", "UTF-8")
        guard cd != iconv_t(bitPattern: -1) else { throw CatalogueError("iconv: no GBK") }
        defer { iconv_close(cd) }
        var input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: data.count + 16)
        var inLeft = input.count, outLeft = output.count
        let written: Int = input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                var inPtr: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return outRaw.count - outLeft
            }
        }
        return Data(output.prefix(written))
    }
}
