import Foundation

/// SM3 (GB/T 32905-2016), the hash of Zhejiang's gateway signature (HMAC-SM3). No package
/// available here implements it (swift-crypto has no SM3), so it is written from the
/// standard; tests check it against the standard's examples and OpenSSL's `sm3`.
enum SM3 {
    static let iv: [UInt32] = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600,
                               0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]

    @inline(__always) static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << (n % 32)) | (x >> ((32 - n % 32) % 32)) }
    @inline(__always) static func p0(_ x: UInt32) -> UInt32 { x ^ rotl(x, 9) ^ rotl(x, 17) }
    @inline(__always) static func p1(_ x: UInt32) -> UInt32 { x ^ rotl(x, 15) ^ rotl(x, 23) }

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for i in (0..<8).reversed() { data.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        var v = iv
        var w = [UInt32](repeating: 0, count: 68)
        for block in stride(from: 0, to: data.count, by: 64) {
            for j in 0..<16 {
                let o = block + j * 4
                w[j] = UInt32(data[o]) << 24 | UInt32(data[o + 1]) << 16 | UInt32(data[o + 2]) << 8 | UInt32(data[o + 3])
            }
            for j in 16..<68 {
                w[j] = p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6]
            }
            var (a, b, c, d, e, f, g, h) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
            for j in 0..<64 {
                let t: UInt32 = j < 16 ? 0x79cc4519 : 0x7a879d8a
                let ss1 = rotl(rotl(a, 12) &+ e &+ rotl(t, UInt32(j % 32)), 7)
                let ss2 = ss1 ^ rotl(a, 12)
                let ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c)
                let gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g)
                let tt1 = ff &+ d &+ ss2 &+ (w[j] ^ w[j + 4])
                let tt2 = gg &+ h &+ ss1 &+ w[j]
                d = c; c = rotl(b, 9); b = a; a = tt1
                h = g; g = rotl(f, 19); f = e; e = p0(tt2)
            }
            v = [a ^ v[0], b ^ v[1], c ^ v[2], d ^ v[3], e ^ v[4], f ^ v[5], g ^ v[6], h ^ v[7]]
        }
        return v.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x >> (24 - 8 * UInt32($0))) } }
    }

    /// HMAC (RFC 2104) over SM3, block size 64.
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = hash(k.map { $0 ^ 0x36 } + message)
        return hash(k.map { $0 ^ 0x5c } + inner)
    }
}
