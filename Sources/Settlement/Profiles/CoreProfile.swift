import Foundation
import TOMLKit

/// How one province's city core carries the national platform's messages (DESIGN.md:
/// "provinces differ in transport, not meaning"): where each transaction is posted, the
/// infno variants, `infver`, `recer_sys_code`, the gateway's authentication headers, and
/// whether 2207 carries the patient's password. Data, never branches in the message
/// builders: `[core] profile` names a built-in profile (`Profiles/*.toml`, each listing
/// its public sources) or a profile file.
package struct CoreProfile: Sendable, Equatable {
    package var name: String
    package var infver: String
    /// recer_sys_code for ordinary transactions (YBXT in the spec).
    package var receiverSystemCode: String
    /// recer_sys_code by insurance type for the settling transactions (340 离休 → LXXT).
    package var receiverByInsurance: [String: String]
    /// The path every transaction is posted to unless `paths` names one.
    package var servicePath: String
    /// infno → path, for cores with one path per service.
    package var paths: [String: String]
    /// infno → the infno this core expects instead (e.g. 2206 → 2206A).
    package var infnoVariants: [String: String]
    /// The e-credential decode (`ec.query`) path, under `[core] url` unless `[core] ec_url` is set.
    package var ecQueryPath: String
    package var gateway: GatewayScheme
    /// tif: whether the signature's hex is uppercase (sources differ; lowercase in the
    /// provinces' medical-insurance code).
    package var signatureHexUppercase: Bool
    /// 2207 must carry the patient's password (entered on the terminal) in `cainfo`.
    package var settlePasswordInCainfo: Bool
    /// 3301's node: `catalogcompin` in some integrations, `data` in others
    /// (../shared/reference/platform-day.md, "3301/3302").
    package var mappingUploadNode: String = "data"
    /// How 9101 carries its file: public integrations differ (platform-day.md, "9101").
    package var uploadEncoding: UploadEncoding = .multipart

    package enum UploadEncoding: String, Sendable, Equatable {
        /// multipart/form-data: the envelope as `jsonStr`, the zip as `file` (openhis-itaii
        /// FileService.java; a published Guangdong demo).
        case multipart
        /// `fsUploadIn.in` as Base64 text (openhis, nmg-dyyy).
        case base64
        /// `fsUploadIn.in` as a JSON array of signed bytes, Java's byte[] (nhis-web).
        case bytes
    }

    package enum GatewayScheme: String, Sendable, Equatable {
        /// No gateway headers: the core trusts the network (VPN, 专线).
        case none
        /// `x-tif-paasid` / `x-tif-timestamp` / `x-tif-nonce` / `x-tif-signature`.
        case tif
        /// `x-ca-key` / `x-ca-signature`: Zhejiang's HMAC-SM3 over the timestamp and body.
        case xca = "x-ca"
    }

    package static let national = try! CoreProfile.builtIn("national")

    /// The infno written in the envelope for `transaction`.
    package func wireInfno(_ transaction: Transaction) -> String {
        infnoVariants[transaction.infno] ?? transaction.infno
    }

    /// The path `transaction` is posted to; `{infno}` in it stands for the wire infno
    /// (Guangdong's gateway ends each URL with it).
    package func path(_ transaction: Transaction) -> String {
        (paths[transaction.infno] ?? servicePath).replacingOccurrences(of: "{infno}", with: wireInfno(transaction))
    }

    package func receiverSystemCode(_ transaction: Transaction, insutype: String?) -> String {
        guard transaction.receiverFollowsInsurance, let insutype, let special = receiverByInsurance[insutype] else {
            return receiverSystemCode
        }
        return special
    }

    // MARK: Loading

    /// The profiles compiled into cuntong, by name.
    package static let builtInNames = ["national", "guangdong", "zhejiang"]

    /// The text of a built-in profile (the simulator reads it with its own parser).
    package static func builtInText(_ name: String) -> String? {
        let bytes: [UInt8]
        switch name {
        case "national": bytes = PackageResources.national_toml
        case "guangdong": bytes = PackageResources.guangdong_toml
        case "zhejiang": bytes = PackageResources.zhejiang_toml
        default: return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func builtIn(_ name: String) throws(SettlementError) -> CoreProfile {
        guard let text = builtInText(name) else {
            throw .configuration("[core] profile \"\(name)\" is not a built-in profile (\(builtInNames.joined(separator: ", "))) nor a file")
        }
        return try parse(text, origin: "built-in profile \(name)")
    }

    /// `[core] profile`: a built-in name, or the path of a profile file (TOML).
    package static func load(_ nameOrPath: String?) throws(SettlementError) -> CoreProfile {
        guard let nameOrPath, !nameOrPath.isEmpty else { return .national }
        if builtInNames.contains(nameOrPath) { return try builtIn(nameOrPath) }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") else { return try builtIn(nameOrPath) }
        let text: String
        do { text = try String(contentsOfFile: nameOrPath, encoding: .utf8) } catch {
            throw .configuration("[core] profile file \(nameOrPath) cannot be read: \(error.localizedDescription)")
        }
        return try parse(text, origin: nameOrPath)
    }

    struct File: Decodable {
        struct Paths: Decodable {
            var service: String?
            var ec_query: String?
            var infno: [String: String]?
        }
        struct Gateway: Decodable { var auth: String?; var hex_case: String? }
        struct Settle: Decodable { var password_in_cainfo: Bool? }
        struct Catalogue: Decodable { var mapping_node: String? }
        struct Files: Decodable { var upload_encoding: String? }
        var name: String
        var infver: String?
        var recer_sys_code: String?
        var recer_sys_code_by_insutype: [String: String]?
        var paths: Paths?
        var infno: [String: String]?
        var gateway: Gateway?
        var settle: Settle?
        var catalogue: Catalogue?
        var files: Files?
    }

    package static func parse(_ text: String, origin: String) throws(SettlementError) -> CoreProfile {
        let file: File
        do { file = try TOMLDecoder().decode(File.self, from: text) } catch {
            throw .configuration("the core profile \(origin) is not valid: \(error)")
        }
        let schemeName = file.gateway?.auth ?? "none"
        if let c = file.gateway?.hex_case, c != "lower", c != "upper" {
            throw .configuration("the core profile \(origin): [gateway] hex_case must be lower or upper")
        }
        guard let scheme = GatewayScheme(rawValue: schemeName) else {
            throw .configuration("the core profile \(origin): [gateway] auth must be none, tif or x-ca, not \"\(schemeName)\"")
        }
        let known = Set(Transaction.allCases.map(\.infno))
        for key in Array((file.paths?.infno ?? [:]).keys) + Array((file.infno ?? [:]).keys) where !known.contains(key) {
            throw .configuration("the core profile \(origin) names infno \(key), which cuntong does not send")
        }
        for path in [file.paths?.service, file.paths?.ec_query].compactMap({ $0 }) + Array((file.paths?.infno ?? [:]).values)
        where !path.hasPrefix("/") {
            throw .configuration("the core profile \(origin): path \(path) must start with /")
        }
        let encodingName = file.files?.upload_encoding ?? "multipart"
        guard let encoding = UploadEncoding(rawValue: encodingName) else {
            throw .configuration("the core profile \(origin): [files] upload_encoding must be multipart, base64 or bytes, not \"\(encodingName)\"")
        }
        return CoreProfile(
            name: file.name, infver: file.infver ?? "V1.0", receiverSystemCode: file.recer_sys_code ?? "YBXT",
            receiverByInsurance: file.recer_sys_code_by_insutype ?? [:],
            servicePath: file.paths?.service ?? "/fsi/api/rsfComIfsService/callService",
            paths: file.paths?.infno ?? [:], infnoVariants: file.infno ?? [:],
            ecQueryPath: file.paths?.ec_query ?? "/localcfc/api/hsecfc/localQrCodeQuery",
            gateway: scheme, signatureHexUppercase: file.gateway?.hex_case == "upper",
            settlePasswordInCainfo: file.settle?.password_in_cainfo ?? false,
            mappingUploadNode: file.catalogue?.mapping_node ?? "data", uploadEncoding: encoding)
    }
}
