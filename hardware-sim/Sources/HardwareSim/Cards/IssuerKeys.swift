import CardReaders
import CLibCrypto

/// The simulated card issuer's master keys and the key derivations its 3.0 cards, its PSAM
/// and its key service share, as the card specification's security part describes them
/// (社会保障(个人)卡规范 part 4 §7–9, part 9 §7; docs/social-security-card.md):
///
/// - diversification (分散) of a 16-byte key by an 8-byte factor: 3DES: E(K, f) ‖ E(K, ¬f);
///   SM4: E(K, f ‖ ¬f); a card key is the master diversified by the province, city and card
///   factors in turn;
/// - session key (过程密钥) from an 8-byte random: 3DES: E(K, r) (a single-DES key); SM4:
///   E(K, r ‖ 8 × 00);
/// - authentication value (鉴别数据) of 8 bytes of data: DES: E(SK, d); SM4: the 16-byte
///   E(SK, d ‖ 8 × 00) folded left ⊕ right.
///
/// The master keys are the simulator's test keys, nothing real. Written here from the
/// specification, not borrowed from the reader, so that the two cannot share a mistake.
package enum IssuerKeys {
    package enum Key: String, Sendable { case irk, rkssse }

    /// 2-key 3DES masters for algorithm 01, SM4 masters for 03.
    static let masters: [String: [Key: [UInt8]]] = [
        "01": [.irk: bytes("0123456789ABCDEFFEDCBA9876543210"), .rkssse: bytes("00112233445566778899AABBCCDDEEFF")],
        "03": [.irk: bytes("5A5A5A5A0102030405060708A5A5A5A5"), .rkssse: bytes("C3C3C3C31122334455667788D2D2D2D2")],
    ]

    package static func supports(_ algorithm: String) -> Bool { masters[algorithm] != nil }

    package static func master(_ key: Key, algorithm: String) -> [UInt8]? { masters[algorithm]?[key] }

    /// The three factors (part 9 §7.3), card first: bytes 6–13 of the ATR's historical bytes;
    /// the region in ASCII + "sx"; the region's first two digits in ASCII + "0000sh".
    package static func factors(historicalBytes: [UInt8], region: String) -> [[UInt8]] {
        let card = Array(historicalBytes.dropFirst(5).prefix(8))
        let digits = Array(region.utf8.prefix(6))
        return [card, digits + Array("sx".utf8), Array(digits.prefix(2)) + Array("0000sh".utf8)]
    }

    /// A master diversified by the factors from the root down (province, city, card).
    package static func cardKey(_ master: [UInt8], algorithm: String, factors: [[UInt8]]) -> [UInt8] {
        factors.reversed().reduce(master) { key, factor in diversify(key, algorithm: algorithm, factor: factor) }
    }

    package static func diversify(_ key: [UInt8], algorithm: String, factor: [UInt8]) -> [UInt8] {
        let inverse = factor.map { ~$0 }
        if algorithm == "03" { return encrypt(key, algorithm: "03", factor + inverse) }
        return encrypt(key, algorithm: "01", factor) + encrypt(key, algorithm: "01", inverse)
    }

    package static func sessionKey(_ key: [UInt8], algorithm: String, random: [UInt8]) -> [UInt8] {
        if algorithm == "03" { return encrypt(key, algorithm: "03", Array(random.prefix(8)) + [UInt8](repeating: 0, count: 8)) }
        return encrypt(key, algorithm: "01", Array(random.prefix(8)))
    }

    package static func authentication(_ session: [UInt8], algorithm: String, data: [UInt8]) -> [UInt8] {
        if algorithm == "03" {
            let out = encrypt(session, algorithm: "03", Array(data.prefix(8)) + [UInt8](repeating: 0, count: 8))
            return (0..<8).map { out[$0] ^ out[$0 + 8] }
        }
        return encrypt(session + session, algorithm: "01", Array(data.prefix(8)))
    }

    /// ECB encryption of whole blocks: SM4 (16-byte key) for `03`; 3DES EDE2 (16-byte key,
    /// or an 8-byte key used as single DES) otherwise.
    package static func encrypt(_ key: [UInt8], algorithm: String, _ data: [UInt8]) -> [UInt8] {
        let name = algorithm == "03" ? "SM4-ECB" : "DES-EDE-ECB"
        let fullKey = key.count == 8 ? key + key : key
        var out = [UInt8](repeating: 0, count: data.count + 32)
        let n = cuntong_ecb_encrypt(name, fullKey, data, Int32(data.count), &out)
        precondition(n == data.count, "libcrypto \(name) failed (data \(data.count) bytes)")
        return Array(out.prefix(Int(n)))
    }

    private static func bytes(_ hex: String) -> [UInt8] { Hex.bytes(hex)! }
}
