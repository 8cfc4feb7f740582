import Crypto
import Foundation
import TOMLKit

/// The secrets a province's gateway signs with, from `[core] credentials_file` (0600,
/// owned by cuntong). Never logged, never in the journal: the headers they make are sent
/// with each request and kept nowhere.
package struct GatewayCredentials: Sendable, Equatable {
    /// tif: the application's paasid and its token (the shared secret).
    package var paasid: String?
    package var token: String?
    /// x-ca: the app key and its secret.
    package var appKey: String?
    package var appSecret: String?

    package init(paasid: String? = nil, token: String? = nil, appKey: String? = nil, appSecret: String? = nil) {
        self.paasid = paasid
        self.token = token
        self.appKey = appKey
        self.appSecret = appSecret
    }

    func covers(_ scheme: CoreProfile.GatewayScheme) -> Bool {
        switch scheme {
        case .none: true
        case .tif: !(paasid ?? "").isEmpty && !(token ?? "").isEmpty
        case .xca: !(appKey ?? "").isEmpty && !(appSecret ?? "").isEmpty
        }
    }

    struct File: Decodable {
        struct TIF: Decodable { var paasid: String?; var token: String? }
        struct XCA: Decodable { var app_key: String?; var app_secret: String? }
        var tif: TIF?
        var x_ca: XCA?
        enum CodingKeys: String, CodingKey { case tif, x_ca = "x-ca" }
    }

    /// Reads the credentials file; refuses one that others than its owner may read.
    package static func load(path: String) throws(SettlementError) -> GatewayCredentials {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .configuration("[core] credentials_file \(path) does not exist or cannot be reached")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw .configuration("[core] credentials_file \(path) may be read by others (mode \(String(st.st_mode & 0o777, radix: 8))): make it 0600, owned by cuntong")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("[core] credentials_file \(path) cannot be read: \(error.localizedDescription)")
        }
        let file: File
        do { file = try TOMLDecoder().decode(File.self, from: text) } catch {
            // The parser's message may quote the file: say only where it failed.
            throw .configuration("[core] credentials_file \(path) is not valid TOML with [tif] or [x-ca] sections")
        }
        return GatewayCredentials(paasid: file.tif?.paasid, token: file.tif?.token,
                                  appKey: file.x_ca?.app_key, appSecret: file.x_ca?.app_secret)
    }
}

/// Makes the gateway authentication headers a profile asks for, per request. Each
/// scheme as the provinces' own integrations make it (sources in the profile files and
/// docs/national-platform.md).
struct GatewaySigner: Sendable {
    static let contentType = "application/json;charset=utf-8"

    let scheme: CoreProfile.GatewayScheme
    let uppercaseHex: Bool
    let credentials: GatewayCredentials?

    init(profile: CoreProfile, credentials: GatewayCredentials?) {
        scheme = profile.gateway
        uppercaseHex = profile.signatureHexUppercase
        self.credentials = credentials
    }

    func headers(path: String, body: Data, now: Date, nonce: String = UUID().uuidString.lowercased()) -> [(String, String)] {
        switch scheme {
        case .none:
            return []
        case .tif:
            return Self.tif(paasid: credentials?.paasid ?? "", token: credentials?.token ?? "", now: now, nonce: nonce,
                            uppercase: uppercaseHex)
        case .xca:
            return Self.zhejiangSM3(key: credentials?.appKey ?? "", secret: credentials?.appSecret ?? "", body: body, now: now)
        }
    }

    static func hex(_ bytes: some Sequence<UInt8>, uppercase: Bool) -> String {
        bytes.map { String(format: uppercase ? "%02X" : "%02x", $0) }.joined()
    }

    /// The Tencent Rio gateway (Guangdong, Hebei): x-tif-signature = SHA-256 (hex) of
    /// timestamp + token + nonce + timestamp, the timestamp in Unix seconds; the body is
    /// not signed.
    static func tif(paasid: String, token: String, now: Date, nonce: String, uppercase: Bool) -> [(String, String)] {
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let digest = SHA256.hash(data: Data((timestamp + token + nonce + timestamp).utf8))
        return [("x-tif-paasid", paasid), ("x-tif-timestamp", timestamp), ("x-tif-nonce", nonce),
                ("x-tif-signature", hex(digest, uppercase: uppercase))]
    }

    /// Zhejiang's gateway: x-ca-key, and x-ca-signature = `<ts>:` + uppercase hex of
    /// HMAC-SM3(secret, ts + "\n" + body), ts in Unix seconds, over the exact body bytes.
    static func zhejiangSM3(key: String, secret: String, body: Data, now: Date) -> [(String, String)] {
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let mac = SM3.hmac(key: Array(secret.utf8), message: Array((timestamp + "\n").utf8) + Array(body))
        return [("x-ca-key", key), ("x-ca-signature", timestamp + ":" + hex(mac, uppercase: true))]
    }
}
