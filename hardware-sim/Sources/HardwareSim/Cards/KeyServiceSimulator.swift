import CardReaders
import Foundation

/// The city's card key service (加密机 behind HTTP) as the reader-interface specification's
/// two-step procedure uses it: the request carries the step-1 fields (§9.1.2), the answer
/// the step-2 key string (§9.1.3) `内部认证鉴别数据‖原始信息|外部认证鉴别数据‖原始信息|`.
///
/// Accepts the step-1 string as the body (text), or JSON with the string under `keyword`
/// (Chengdu's name) or the fields under Hainan's public names (aaa027, kfwxx, sfbs, baz849,
/// nbrz, nbxx, wbrz, wbxx). Answers text to text and `{"code":0,"inst":"…"}` to JSON, or an
/// error (`code` -1 / HTTP 400) naming what is wrong. Served by the core simulator at
/// `POST /key-service/rkssse`; the keys are the simulated issuer's (IssuerKeys).
package enum KeyServiceSimulator {
    package static let path = "/key-service/rkssse"

    package struct Answer: Sendable {
        package let status: Int
        package let contentType: String
        package let body: Data
    }

    package static func handle(_ body: Data, contentType: String?) -> Answer {
        let isJSON = contentType?.contains("json") == true || body.first == UInt8(ascii: "{")
        let fields: [String]?
        if isJSON {
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            if let keyword = object?["keyword"] as? String {
                fields = split(keyword)
            } else if let object {
                fields = ["aaa027", "kfwxx", "sfbs", "baz849", "nbrz", "nbxx", "wbrz", "wbxx"].map { object[$0] as? String ?? "" }
            } else {
                fields = nil
            }
        } else {
            fields = split(String(decoding: body, as: UTF8.self))
        }
        switch fields.map(compute) ?? .failure("the request is neither a step-1 string nor JSON with its fields") {
        case .success(let key):
            return isJSON ? json(["code": 0, "inst": key]) : Answer(status: 200, contentType: "text/plain", body: Data(key.utf8))
        case .failure(let why):
            return isJSON ? json(["code": -1, "message": why]) : Answer(status: 400, contentType: "text/plain", body: Data(why.utf8))
        }
    }

    enum Outcome {
        case success(String)
        case failure(String)
    }

    /// "a|b|…|" → ["a", "b", …]: the trailing separator ends the last field.
    static func split(_ text: String) -> [String] {
        var parts = text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "|")
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    static func compute(_ f: [String]) -> Outcome {
        guard f.count >= 8 else { return .failure("step 1 has \(f.count) fields where 8 belong") }
        let region = f[0], algorithm = f[2]
        guard region.count == 6, region.allSatisfy(\.isNumber) else { return .failure("区划代码 is not 6 digits") }
        guard IssuerKeys.supports(algorithm) else { return .failure("算法标识 \(algorithm) is not supported") }
        guard let historical = bytes(f[1]), let cardID = bytes(f[3]), cardID.count == 16,
              String(f[3].prefix(6)) == region else { return .failure("卡复位信息 or 卡识别码 is malformed") }
        guard let iFactor = bytes(f[4]), let iSource = bytes(f[5]), iFactor.count == 8, iSource.count == 8 else {
            return .failure("the internal-authentication challenges are not 8 bytes each")
        }
        // A whole ATR is taken too (some vendors send it): its historical bytes are used.
        let hist = historical.first == 0x3B || historical.first == 0x3F
            ? VirtualSocialSecurityCard.historicalBytes(historical) : historical
        let factors = IssuerKeys.factors(historicalBytes: hist, region: region)
        func result(_ key: IssuerKeys.Key, _ factor: [UInt8], _ source: [UInt8]) -> String {
            let cardKey = IssuerKeys.cardKey(IssuerKeys.master(key, algorithm: algorithm)!, algorithm: algorithm, factors: factors)
            let session = IssuerKeys.sessionKey(cardKey, algorithm: algorithm, random: factor)
            return hex(IssuerKeys.authentication(session, algorithm: algorithm, data: source) + source)
        }
        var answer = result(.irk, iFactor, iSource) + "|"
        if !f[6].isEmpty || !f[7].isEmpty {
            guard let eFactor = bytes(f[6]), let eSource = bytes(f[7]), eFactor.count == 8, eSource.count == 8 else {
                return .failure("the external-authentication challenges are not 8 bytes each")
            }
            answer += result(.rkssse, eFactor, eSource)
        }
        return .success(answer + "|")
    }

    static func json(_ object: [String: Any]) -> Answer {
        Answer(status: 200, contentType: "application/json",
               body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func bytes(_ hex: String) -> [UInt8]? { Hex.bytes(hex) }

    static func hex(_ bytes: [UInt8]) -> String { Hex.string(bytes) }
}
