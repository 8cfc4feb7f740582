import Crypto
import Foundation
import Settlement
import TOMLKit

/// A province profile as the simulated core enforces it: the paths it serves, the infno
/// each path takes, infver, the recer_sys_code values it accepts, and the gateway's
/// signature, checked by the simulator's own reading of the published schemes (not the
/// terminal's signer), so a terminal that signs wrongly is refused here.
package struct SimProfile: Sendable {
    package var name: String
    var infver: String
    var receiverCodes: [String]
    var receiverByInsurance: [String: String]
    var servicePath: String
    var paths: [String: String]
    var variants: [String: String]
    package var ecQueryPath: String
    var gateway: String
    var uppercaseHex: Bool
    var credentials: (paasid: String, token: String, key: String, secret: String)

    package static let national = try! SimProfile.load("national", credentialsFile: nil)

    struct File: Decodable {
        struct Paths: Decodable { var service: String?; var ec_query: String?; var infno: [String: String]? }
        struct Gateway: Decodable { var auth: String?; var hex_case: String? }
        var name: String
        var infver: String?
        var recer_sys_code: String?
        var recer_sys_code_by_insutype: [String: String]?
        var paths: Paths?
        var infno: [String: String]?
        var gateway: Gateway?
    }

    struct Credentials: Decodable {
        struct TIF: Decodable { var paasid: String?; var token: String? }
        struct XCA: Decodable { var app_key: String?; var app_secret: String? }
        var tif: TIF?
        var x_ca: XCA?
        enum CodingKeys: String, CodingKey { case tif, x_ca = "x-ca" }
    }

    /// A built-in profile by name, or a profile file; the gateway's secrets from a
    /// credentials file in the terminal's format.
    package static func load(_ nameOrPath: String, credentialsFile: String?) throws -> SimProfile {
        let text: String
        if let builtIn = CoreProfile.builtInText(nameOrPath) { text = builtIn } else {
            text = try String(contentsOfFile: nameOrPath, encoding: .utf8)
        }
        let f = try TOMLDecoder().decode(File.self, from: text)
        var creds = Credentials(tif: nil, x_ca: nil)
        if let credentialsFile {
            creds = try TOMLDecoder().decode(Credentials.self, from: try String(contentsOfFile: credentialsFile, encoding: .utf8))
        }
        let base = f.recer_sys_code ?? "YBXT"
        return SimProfile(
            name: f.name, infver: f.infver ?? "V1.0",
            receiverCodes: [base] + Array((f.recer_sys_code_by_insutype ?? [:]).values),
            receiverByInsurance: f.recer_sys_code_by_insutype ?? [:],
            servicePath: f.paths?.service ?? "/fsi/api/rsfComIfsService/callService", paths: f.paths?.infno ?? [:],
            variants: f.infno ?? [:], ecQueryPath: f.paths?.ec_query ?? "/localcfc/api/hsecfc/localQrCodeQuery",
            gateway: f.gateway?.auth ?? "none", uppercaseHex: f.gateway?.hex_case == "upper",
            credentials: (creds.tif?.paasid ?? "", creds.tif?.token ?? "", creds.x_ca?.app_key ?? "", creds.x_ca?.app_secret ?? ""))
    }

    /// The infno the envelope must carry for a transaction.
    func wireInfno(_ infno: String) -> String { variants[infno] ?? infno }

    /// The transaction a wire infno stands for (2206A → 2206), or nil if this profile does
    /// not take it in that form.
    func transaction(ofWire wire: String) -> String? {
        if let (base, _) = variants.first(where: { $0.value == wire }) { return base }
        return variants[wire] == nil ? wire : nil
    }

    /// Every path served, with the transactions each takes (nil = any).
    func routes(_ known: Set<String>) -> [String: Set<String>?] {
        var routes: [String: Set<String>?] = [:]
        for infno in known {
            let path = (paths[infno] ?? servicePath).replacingOccurrences(of: "{infno}", with: wireInfno(infno))
            if paths[infno] != nil || servicePath.contains("{infno}") {
                routes[path] = .some([infno])
            } else {
                routes[path] = .some(nil)
            }
        }
        return routes
    }

    /// The recer_sys_code a transaction must carry for a patient of `insutype`.
    func receiverCode(infno: String, insutype: String?) -> String {
        if ["2201", "2206", "2207"].contains(infno), let insutype, let special = receiverByInsurance[insutype] { return special }
        return receiverCodes[0]
    }

    /// Checks the gateway's headers; the reason in words when they do not pass.
    func verify(headers: [String: String], body: Data, now: Date) -> String? {
        switch gateway {
        case "tif":
            guard let paasid = headers["x-tif-paasid"], let ts = headers["x-tif-timestamp"], let nonce = headers["x-tif-nonce"],
                  let sig = headers["x-tif-signature"] else { return "网关鉴权失败: 缺少x-tif-*请求头" }
            guard paasid == credentials.paasid else { return "网关鉴权失败: paasid不存在" }
            guard let t = Double(ts), abs(t - now.timeIntervalSince1970) <= 300 else { return "网关鉴权失败: 时间戳超出有效期" }
            let digest = SHA256.hash(data: Data((ts + credentials.token + nonce + ts).utf8))
            let expected = digest.map { String(format: uppercaseHex ? "%02X" : "%02x", $0) }.joined()
            return sig == expected ? nil : "网关鉴权失败: 签名错误"
        case "x-ca":
            guard let key = headers["x-ca-key"], let value = headers["x-ca-signature"] else {
                return "网关鉴权失败: 缺少x-ca-key或x-ca-signature"
            }
            guard key == credentials.key else { return "网关鉴权失败: x-ca-key不存在" }
            let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let t = Double(parts[0]), abs(t - now.timeIntervalSince1970) <= 300 else {
                return "网关鉴权失败: 签名时间戳无效"
            }
            guard let expected = Self.opensslHMACSM3(secret: credentials.secret, message: Data((parts[0] + "\n").utf8) + body),
                  parts[1] == expected.uppercased() else { return "网关鉴权失败: 签名错误" }
            return nil
        default:
            return nil
        }
    }

    /// HMAC-SM3 by OpenSSL (`openssl dgst -sm3 -hmac`): an implementation independent of
    /// the terminal's own SM3.
    static func opensslHMACSM3(secret: String, message: Data) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["dgst", "-sm3", "-hmac", secret, "-hex"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        input.fileHandleForWriting.write(message)
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let text = String(data: out, encoding: .utf8),
              let hex = text.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        return hex
    }
}

/// The spec's input field tables (hardware-sim/core/spec/transactions.json).
struct SpecTables: Sendable {
    /// infno → node ("data", "feedetail[]") → required field names.
    let required: [String: [String: [String]]]
    let envelopeRequired: [String]

    init(path: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        func requiredFields(_ node: [String: Any]) -> [String] {
            node.compactMap { key, spec in (spec as? String)?.hasPrefix("Y ") == true ? key : nil }.sorted()
        }
        envelopeRequired = requiredFields(object["envelope"] as? [String: Any] ?? [:])
        var required: [String: [String: [String]]] = [:]
        for (infno, nodes) in object["transactions"] as? [String: Any] ?? [:] {
            var byNode: [String: [String]] = [:]
            for (node, fields) in nodes as? [String: Any] ?? [:] { byNode[node] = requiredFields(fields as? [String: Any] ?? [:]) }
            required[infno] = byNode
        }
        self.required = required
    }

    /// The first required field missing or empty in `input`, as `node.field`.
    func missing(infno: String, input: JSONObject) -> String? {
        for (node, fields) in (required[infno] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let isList = node.hasSuffix("[]")
            let name = isList ? String(node.dropLast(2)) : node
            let rows: [JSONObject]
            if isList {
                guard let list = try? input.array(name), !list.isEmpty else { return name }
                rows = list
            } else {
                guard let o = try? input.object(name) else { return name }
                rows = [o]
            }
            for row in rows {
                for field in fields where (row.optionalString(field) ?? "").isEmpty { return "\(name).\(field)" }
            }
        }
        return nil
    }
}
