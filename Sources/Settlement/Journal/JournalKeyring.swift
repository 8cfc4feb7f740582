import Crypto
import Foundation

/// The terminal's journal keys, in a 0600 file owned by `cuntong` (`[storage] key_file`;
/// provision puts it under /etc/cuntong, apart from the journal). One line per key,
/// `<id> <base64 of 32 bytes>`, the current key first; older keys stay until every day key
/// wrapped under them has been wrapped again (`cuntong journal rotate-key`).
///
/// The journal seals each day's personal values under a day key of its own, kept wrapped
/// (AES-GCM) under the current terminal key; erasing a day key after reconciliation makes
/// that day's sealed values unreadable for good, wherever a copy of them lies.
package final class JournalKeyring: Sendable {
    package enum Problem: Error, Equatable, Sendable {
        case missing(String)
        case exposed(String, mode: Int)
        case unreadable(String, String)
    }

    package let path: String
    /// Newest first.
    package let keys: [(id: String, key: SymmetricKey)]

    init(path: String, keys: [(id: String, key: SymmetricKey)]) {
        self.path = path
        self.keys = keys
    }

    package var current: (id: String, key: SymmetricKey) { keys[0] }

    package func key(_ id: String) -> SymmetricKey? { keys.first { $0.id == id }?.key }

    /// Reads the key file; it must be private to its owner.
    package static func load(path: String) throws(Problem) -> JournalKeyring {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .missing(path) }
        guard st.st_mode & 0o077 == 0 else { throw .exposed(path, mode: Int(st.st_mode & 0o777)) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        var keys: [(id: String, key: SymmetricKey)] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let bytes = Data(base64Encoded: String(parts[1])), bytes.count == 32 else {
                throw .unreadable(path, "a line is not \"<id> <base64 of 32 bytes>\"")
            }
            keys.append((String(parts[0]), SymmetricKey(data: bytes)))
        }
        guard !keys.isEmpty else { throw .unreadable(path, "it holds no key") }
        return JournalKeyring(path: path, keys: keys)
    }

    /// Writes a new key file (0600) with one fresh key; refuses to overwrite one.
    @discardableResult
    package static func create(path: String, now: Date = Date()) throws(Problem) -> JournalKeyring {
        let ring = JournalKeyring(path: path, keys: [(newID(now), SymmetricKey(size: .bits256))])
        try ring.write(exclusive: true)
        return ring
    }

    /// The ring with a fresh key in front, written to the file (older keys kept).
    package func rotated(now: Date = Date()) throws(Problem) -> JournalKeyring {
        var id = Self.newID(now)
        while keys.contains(where: { $0.id == id }) { id += "b" }
        let ring = JournalKeyring(path: path, keys: [(id, SymmetricKey(size: .bits256))] + keys)
        try ring.write(exclusive: false)
        return ring
    }

    /// The ring with only its current key, written to the file.
    package func droppingOldKeys() throws(Problem) -> JournalKeyring {
        let ring = JournalKeyring(path: path, keys: [current])
        try ring.write(exclusive: false)
        return ring
    }

    static func newID(_ now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyyMMddHHmmss"
        return "k" + f.string(from: now)
    }

    private func write(exclusive: Bool) throws(Problem) {
        let text = "# cuntong journal keys: the current first. Keep this file 0600; without it the journal's personal data cannot be read.\n"
            + keys.map { "\($0.id) \($0.key.withUnsafeBytes { Data($0) }.base64EncodedString())" }.joined(separator: "\n") + "\n"
        let previous = umask(0o077)
        defer { umask(previous) }
        let fm = FileManager.default
        if exclusive, fm.fileExists(atPath: path) { throw .unreadable(path, "a key file is already there") }
        let temporary = path + ".new"
        guard fm.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .unreadable(path, "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else { throw .unreadable(path, "cannot replace it: \(String(cString: strerror(errno)))") }
    }
}

extension JournalKeyring.Problem: CustomStringConvertible {
    package var description: String {
        switch self {
        case .missing(let path):
            "the journal key \(path) is missing: the personal data sealed in the journal cannot be opened until it is restored (money records are unaffected)"
        case .exposed(let path, let mode):
            "the journal key \(path) may be read by others (mode \(String(mode, radix: 8))): make it 0600, owned by cuntong"
        case .unreadable(let path, let why):
            "the journal key \(path) cannot be used: \(why)"
        }
    }
}
