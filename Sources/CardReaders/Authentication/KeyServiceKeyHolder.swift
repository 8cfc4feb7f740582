import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL

/// RKSSSE keys in the city's key service (加密机 behind an HTTPS service), in the two steps
/// vendor reader libraries implement (`iReadCardBas_HSM_Step1/Step2`, Sichuan's copy of the
/// national reader-interface specification §9.1.2–9.1.3):
///
/// - step 1 sends `区划代码|卡复位信息|算法标识|卡识别码|内部认证过程因子|内部认证原始信息|外部认证过程因子|外部认证原始信息|`
///   (hex uppercase; the external pair empty on a card below 3.0);
/// - the answer holds `内部认证鉴别数据‖原始信息|外部认证鉴别数据‖原始信息|` (32 hex each).
///
/// Each city wraps this differently (Chengdu: SOAP with the string as `keyword`; Lishui: a
/// `^`-separated form field; Hainan: JSON fields). No national wire format is public, so the
/// request is `[card] key_service_format` ("step-string": the string as the POST body;
/// "json": the fields under the public Hainan names plus `keyword`), and the answer is read
/// liberally: whatever wraps it, the two 32-hex values are found by their second halves,
/// which must be the challenges this read sent. Sources: docs/social-security-card.md.
package struct KeyServiceKeyHolder: RKSSSEKeyHolder {
    package enum Format: String, Sendable, CaseIterable {
        case stepString = "step-string"
        case json
    }

    package struct Settings: Sendable, Hashable {
        package var url: String
        package var format: Format
        /// Extra header lines (Authorization from the credentials file).
        package var headers: [String: String]
        /// Sent as the ninth field (终端编号) where a city's service expects it.
        package var terminalID: String?
        package var timeout: Duration
        package var caFile: String?

        package init(url: String, format: Format = .stepString, headers: [String: String] = [:], terminalID: String? = nil,
                    timeout: Duration = .seconds(5), caFile: String? = nil) {
            self.url = url
            self.format = format
            self.headers = headers
            self.terminalID = terminalID
            self.timeout = timeout
            self.caFile = caFile
        }
    }

    package let settings: Settings
    package var provider: String { "key-service" }

    package init(settings: Settings) {
        self.settings = settings
    }

    /// The step-1 string, exactly as the specification orders it.
    package static func step1(_ c: RKSSSEChallenge, terminalID: String? = nil) -> String {
        var fields = [c.regionCode, Hex.string(c.historicalBytes), c.algorithm, Hex.string(c.cardIdentifier),
                      Hex.string(c.internalFactor), Hex.string(c.internalSource),
                      c.externalFactor.map(Hex.string) ?? "", c.externalSource.map(Hex.string) ?? ""]
        if let terminalID { fields.append(terminalID) }
        return fields.map { $0 + "|" }.joined()
    }

    package func requestBody(_ c: RKSSSEChallenge) -> (contentType: String, body: Data) {
        let step1 = Self.step1(c, terminalID: settings.terminalID)
        switch settings.format {
        case .stepString:
            return ("text/plain; charset=utf-8", Data(step1.utf8))
        case .json:
            let fields: [String: String] = [
                "aaa027": c.regionCode, "kfwxx": Hex.string(c.historicalBytes), "sfbs": c.algorithm,
                "baz849": Hex.string(c.cardIdentifier), "nbrz": Hex.string(c.internalFactor),
                "nbxx": Hex.string(c.internalSource), "wbrz": c.externalFactor.map(Hex.string) ?? "",
                "wbxx": c.externalSource.map(Hex.string) ?? "", "keyword": step1,
            ]
            let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
            return ("application/json", body)
        }
    }

    /// Finds the step-2 values in any wrapping: a 32-hex run whose right half is the source
    /// this read sent is that half's cryptogram.
    package static func parseAnswer(_ text: String, for c: RKSSSEChallenge) -> RKSSSEAnswer? {
        let runs = hexRuns(in: text, length: 32)
        let internalSource = Hex.string(c.internalSource)
        guard let internalRun = runs.first(where: { $0.hasSuffix(internalSource) }) else { return nil }
        var external: [UInt8]?
        if let source = c.externalSource.map(Hex.string) {
            guard let run = runs.first(where: { $0 != internalRun && $0.hasSuffix(source) })
                ?? runs.filter({ $0.hasSuffix(source) }).dropFirst().first else { return nil }
            external = Hex.bytes(String(run.prefix(16)))
        }
        guard let result = Hex.bytes(String(internalRun.prefix(16))) else { return nil }
        return RKSSSEAnswer(internalResult: result, externalCryptogram: external)
    }

    /// Maximal runs of hex digits of exactly `length` characters, uppercased.
    static func hexRuns(in text: String, length: Int) -> [String] {
        var runs: [String] = []
        var current = ""
        for ch in text.unicodeScalars {
            if ch.properties.isASCIIHexDigit { current.unicodeScalars.append(ch); continue }
            if current.count == length { runs.append(current.uppercased()) }
            current = ""
        }
        if current.count == length { runs.append(current.uppercased()) }
        return runs
    }

    package func answer(_ challenge: RKSSSEChallenge) async throws(CardReadError) -> RKSSSEAnswer {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile { tls.trustRoots = .file(ca) }
        let timeout = TimeAmount.nanoseconds(Int64(settings.timeout.components.seconds) * 1_000_000_000
                                             + settings.timeout.components.attoseconds / 1_000_000_000)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(tlsConfiguration: tls, timeout: .init(connect: timeout, read: timeout)))
        let result: Result<RKSSSEAnswer, CardReadError>
        do {
            result = .success(try await exchange(challenge, client: client, timeout: timeout))
        } catch let error as CardReadError {
            result = .failure(error)
        } catch {
            result = .failure(.keyServiceUnreachable(detail: Self.describe(error)))
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// For `cuntong doctor`: whether the service answers HTTP at all (any status counts).
    package func probe() async throws(CardReadError) -> Int {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile { tls.trustRoots = .file(ca) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(5), read: .seconds(5))))
        let result: Result<Int, CardReadError>
        do {
            let response = try await client.execute(HTTPClientRequest(url: settings.url), timeout: .seconds(5))
            result = .success(Int(response.status.code))
        } catch {
            result = .failure(.keyServiceUnreachable(detail: Self.describe(error)))
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func exchange(_ challenge: RKSSSEChallenge, client: HTTPClient, timeout: TimeAmount) async throws -> RKSSSEAnswer {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        let (contentType, body) = requestBody(challenge)
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in settings.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        let text = String(decoding: Data(buffer: bytes), as: UTF8.self)
        guard response.status == .ok else {
            throw CardReadError.keyServiceRefused(detail: "HTTP \(response.status.code)")
        }
        guard let answer = Self.parseAnswer(text, for: challenge) else {
            throw CardReadError.keyServiceRefused(detail: "the answer holds no result for this card's challenges")
        }
        return answer
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .readTimeout, .deadlineExceeded: return "no answer in time"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
