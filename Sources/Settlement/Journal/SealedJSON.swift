import Crypto
import Foundation
import TerminalCore

/// Seals the personal values of a JSON message where they stand in its bytes: each value
/// under a key of `PersonalFields` (a string, a number, or a whole object or array) becomes
/// the string `"~sealed1:<key id>:<base64 of AES-GCM nonce ‖ ciphertext ‖ tag>"`, whose
/// plaintext is the value's exact bytes. Everything else is left byte for byte, so unsealing
/// gives back exactly the bytes that were sealed (a journaled request is re-sent unchanged),
/// and the message stays readable without the key: amounts, codes, ids, states.
///
/// `null` and `""` are left as they are: there is nothing to protect in them.
package enum SealedJSON {
    static let sealedPrefix = Array("\"~sealed1:".utf8)
    package static let redacted = Array("\"~redacted\"".utf8)

    package enum Failure: Error, Equatable, Sendable {
        /// A sealed value whose key is not at hand (lost, or erased by redaction).
        case keyMissing(String)
        /// A sealed value that does not open: damaged, or sealed under another key.
        case damaged
    }

    /// The message with every personal value sealed under `key`, named `keyID` in the token.
    package static func seal(_ json: Data, key: SymmetricKey, keyID: String) throws -> Data {
        let aad = Data(keyID.utf8)
        return try rewrite(Array(json), sealsPersonal: true, personal: { raw in
            let box = try AES.GCM.seal(Data(raw), using: key, authenticating: aad)
            guard let combined = box.combined else { throw Failure.damaged }
            return Array("\"~sealed1:\(keyID):\(combined.base64EncodedString())\"".utf8)
        }, sealed: { $0 })
    }

    /// The message with every sealed value opened; `key(id)` gives the key a token names.
    package static func unseal(_ json: Data, key: (String) -> SymmetricKey?) throws -> Data {
        try rewrite(Array(json), sealed: { literal in
            let token = String(decoding: literal.dropFirst(sealedPrefix.count).dropLast(), as: UTF8.self)
            guard let colon = token.firstIndex(of: ":") else { throw Failure.damaged }
            let keyID = String(token[..<colon])
            guard let k = key(keyID) else { throw Failure.keyMissing(keyID) }
            guard let combined = Data(base64Encoded: String(token[token.index(after: colon)...])),
                  let box = try? AES.GCM.SealedBox(combined: combined),
                  let plain = try? AES.GCM.open(box, using: k, authenticating: Data(keyID.utf8))
            else { throw Failure.damaged }
            return Array(plain)
        })
    }

    /// The values sealed under `keyID` replaced by `"~redacted"`: the person is gone, the
    /// rest of the message stays.
    package static func redact(_ json: Data, keyID: String) -> Data {
        let prefix = Array("\"~sealed1:\(keyID):".utf8)
        return (try? rewrite(Array(json), sealed: { $0.starts(with: prefix) ? redacted : $0 })) ?? json
    }

    /// The key ids the message's sealed values name.
    package static func keyIDs(in json: Data) -> Set<String> {
        var ids: Set<String> = []
        _ = try? rewrite(Array(json), sealed: { literal in
            let token = String(decoding: literal.dropFirst(sealedPrefix.count).dropLast(), as: UTF8.self)
            if let colon = token.firstIndex(of: ":") { ids.insert(String(token[..<colon])) }
            return literal
        })
        return ids
    }

    package static func isSealed(_ json: Data) -> Bool { !keyIDs(in: json).isEmpty }

    // MARK: The scanner

    /// One pass over the bytes. With `sealsPersonal`, `personal` rewrites the raw value under
    /// a personal key; `sealed` rewrites a string literal that is a sealed token. Bytes that are not JSON as
    /// far as this scanner needs (an unterminated string) are copied as they are.
    static func rewrite(_ b: [UInt8], sealsPersonal: Bool = false, personal: ([UInt8]) throws -> [UInt8] = { $0 },
                        sealed: ([UInt8]) throws -> [UInt8]) throws -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + b.count / 2)
        var containers: [UInt8] = []
        var expectKey = false
        var valueKey: String?
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if sealsPersonal, let key = valueKey, PersonalFields.isPersonal(key) {
                    let end = containerEnd(b, from: i)
                    out += try personal(Array(b[i..<end]))
                    valueKey = nil
                    i = end
                    continue
                }
                containers.append(c)
                expectKey = c == UInt8(ascii: "{")
                valueKey = nil
                out.append(c)
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
                expectKey = false
                valueKey = nil
                out.append(c)
                i += 1
            case UInt8(ascii: ","):
                expectKey = containers.last == UInt8(ascii: "{")
                valueKey = nil
                out.append(c)
                i += 1
            case UInt8(ascii: "\""):
                let end = stringEnd(b, from: i)
                let literal = Array(b[i..<end])
                if expectKey {
                    valueKey = String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
                    expectKey = false
                    out += literal
                } else if literal.starts(with: sealedPrefix) {
                    out += try sealed(literal)
                    valueKey = nil
                } else if sealsPersonal, let key = valueKey, PersonalFields.isPersonal(key), literal.count > 2 {
                    out += try personal(literal)
                    valueKey = nil
                } else {
                    out += literal
                    valueKey = nil
                }
                i = end
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":"):
                out.append(c)
                i += 1
            default:
                // A number, true, false or null.
                var end = i
                while end < b.count, !Self.delimiters.contains(b[end]) { end += 1 }
                let scalar = Array(b[i..<end])
                if sealsPersonal, let key = valueKey, PersonalFields.isPersonal(key), scalar != Array("null".utf8) {
                    out += try personal(scalar)
                } else {
                    out += scalar
                }
                valueKey = nil
                i = max(end, i + 1)
            }
        }
        return Data(out)
    }

    static let delimiters: Set<UInt8> = Set(",}] \n\r\t:".utf8)

    /// The index after the closing quote of the string literal starting at `start`.
    static func stringEnd(_ b: [UInt8], from start: Int) -> Int {
        var i = start + 1
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return b.count
    }

    /// The index after the container (object or array) starting at `start`.
    static func containerEnd(_ b: [UInt8], from start: Int) -> Int {
        var depth = 0
        var i = start
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\""): i = stringEnd(b, from: i); continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        return b.count
    }
}
