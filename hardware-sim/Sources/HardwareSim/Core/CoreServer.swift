import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The simulated core over HTTP (Hummingbird): the platform's service path, the
/// e-credential query, and `/sim/…` endpoints for tests and technicians.
package struct CoreServer: Sendable {

    let simulator: CoreSimulator
    let faults: FaultBoard
    /// The listening channel while serving, so that `closeListener` can take the core off
    /// the network at once (a core that is down refuses connections).
    private let listener = Listener()

    final class Listener: Sendable {
        let channel = Mutex<(any Channel)?>(nil)
    }

    package init(simulator: CoreSimulator, faults: [CoreFault]) {
        self.simulator = simulator
        self.faults = FaultBoard(faults)
    }

    /// Closes the listening socket now: new connections are refused. Connections already
    /// open end with the server.
    package func closeListener() async {
        let channel = listener.channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
    }

    struct CutConnection: Error {}

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json;charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The same envelope (infcode kept) with an output that cannot be read: amounts in words,
    /// as a broken gateway or a core's bug would send.
    static func unreadable(_ answer: Data) -> Data {
        guard var a = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] else { return answer }
        a["output"] = ["setlinfo": ["medfee_sumamt": "十二元", "psn_cash_pay": "见附件"], "result": "格式错误"] as [String: Any]
        return (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])) ?? answer
    }

    /// A response whose body fails at once: the connection is closed mid-answer.
    static func cut() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: ResponseBody { _ in throw CutConnection() })
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let simulator = self.simulator, faults = self.faults
        @Sendable func serve(_ body: Data, allowed: Set<String>?) async throws -> Response {
            // Faults name the transaction (2207), whatever variant the profile puts on the wire.
            let wire = JSONObject(data: body)?.optionalString("infno") ?? ""
            let infno = simulator.profile.transaction(ofWire: wire) ?? wire
            let ms = await faults.delay(for: infno)
            if ms > 0 { try await Task.sleep(for: .milliseconds(ms)) }
            let ledgerFaults = await faults.takeLedgerFaults()
            if !ledgerFaults.isEmpty {
                simulator.apply(ledgerFaults, fixmedinsCode: JSONObject(data: body)?.optionalString("fixmedins_code") ?? "")
            }
            if infno == "9102", allowed?.contains("9102") ?? true {
                return try await Self.serveDownload(body, simulator: simulator, faults: faults)
            }
            switch await faults.take([.http500, .reset, .wrongSignNo], infno: infno) {
            case .http500: return Response(status: .internalServerError)
            case .reset: return Self.cut()
            case .wrongSignNo:
                let e = JSONObject(data: body)
                return Self.json(simulator.answer(
                    infcode: -1, msgid: e?.optionalString("msgid") ?? "", received: simulator.clock(),
                    error: "签到编号(sign_no)无效或已签退，请重新签到(9001)", output: nil))
            default: break
            }
            if CoreSimulator.catalogueTransactions.contains(infno) { await simulator.catalogue.ready() }
            let outcome = simulator.handle(body, allowed: allowed)
            if await faults.take([.drop], infno: infno) != nil {
                return Self.cut()
            }
            if await faults.take([.badOutput], infno: infno) != nil {
                return Self.json(Self.unreadable(outcome.answer))
            }
            if let faulted = await Self.pageFault(outcome.answer, body: body, infno: infno, simulator: simulator, faults: faults) {
                return Self.json(faulted)
            }
            return Self.json(outcome.answer)
        }
        // The profile's paths: one callService, one per service, or the gateway's path
        // ending in the infno. A request on a path that does not take its infno is refused.
        // Also the published file-service paths (9101/9102), unless the profile serves them.
        var routes = simulator.profile.routes(CoreSimulator.knownTransactions)
        for (path, infno) in [("/fsi/api/fileupload/upload", "9101"), ("/fsi/api/fileupload/download", "9102")] where routes[path] == nil {
            routes[path] = .some([infno])
        }
        for (path, allowed) in routes {
            router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                // Uploads (9101) may be large.
                var body = Data(buffer: try await request.body.collect(upTo: 64 * 1024 * 1024))
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                if let refusal = simulator.profile.verify(headers: headers, body: body, now: simulator.clock()) {
                    return Self.json((try? JSONSerialization.data(withJSONObject: [
                        "type": "error", "infcode": -1, "err_msg": refusal] as [String: Any])) ?? Data())
                }
                // 9101 as multipart/form-data: `jsonStr` (the envelope) and `file` (the zip).
                let contentType = request.headers[.contentType] ?? ""
                if contentType.lowercased().hasPrefix("multipart/form-data") {
                    guard let envelope = Self.multipartEnvelope(body, contentType: contentType) else {
                        return Self.json((try? JSONSerialization.data(withJSONObject: [
                            "type": "error", "infcode": -1, "err_msg": "文件上传报文格式错误: 需要jsonStr和file两部分"] as [String: Any])) ?? Data())
                    }
                    body = envelope
                }
                return try await serve(body, allowed: allowed)
            }
        }
        router.post(RouterPath(stringLiteral: simulator.profile.ecQueryPath)) { request, _ -> Response in
            let body = Data(buffer: try await request.body.collect(upTo: 1024 * 1024))
            return Self.json(simulator.ecCall(body))
        }
        // The city's card key service (RKSSSE for 3.0 cards), served beside the core.
        router.post(RouterPath(stringLiteral: KeyServiceSimulator.path)) { request, _ -> Response in
            let body = Data(buffer: try await request.body.collect(upTo: 64 * 1024))
            let answer = KeyServiceSimulator.handle(body, contentType: request.headers[.contentType])
            var headers = HTTPFields()
            headers[.contentType] = answer.contentType
            return Response(status: .init(code: answer.status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.get("/sim/faults") { _, _ -> String in
            await faults.faults.map(\.description).joined(separator: "\n") + "\n"
        }
        router.post("/sim/faults") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 64 * 1024))
            var parsed: [CoreFault] = []
            for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let f = CoreFault(parsing: String(line)) else {
                    return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "unknown fault \(line); use \(CoreFault.usage)\n")))
                }
                parsed.append(f)
            }
            await faults.replace(parsed)
            return Response(status: .noContent)
        }
        router.get("/sim/totals") { request, _ -> Response in
            let code = request.uri.queryParameters.get("fixmedins_code") ?? ""
            let day = request.uri.queryParameters.get("day") ?? String(simulator.time(simulator.clock()).prefix(10))
            let t = try simulator.ledger.totals(fixmedinsCode: code, insutype: request.uri.queryParameters.get("insutype"), from: day, to: day)
            return Self.json(try JSONEncoder().encode(t))
        }
        router.get("/sim/settlements") { request, _ -> Response in
            let day: String? = request.uri.queryParameters.get("day")
            return Self.json(try simulator.ledger.settlements(day: day))
        }
        return router
    }

    /// Replaces the faults in force (what `POST /sim/faults` does).
    package func setFaults(_ new: [CoreFault]) async { await faults.replace(new) }

    /// Serves until cancelled, or (with `handleSignals`) until SIGTERM/SIGINT.
    /// With `tls` (PEM certificate chain and key files) the core serves HTTPS, as a real one
    /// does, so that the terminal's CA configuration is tested.
    package func run(host: String, port: Int, logger: Logger, handleSignals: Bool = true,
                    tls: (certificate: String, key: String)? = nil,
                    onReady: @escaping @Sendable (Int) -> Void) async throws {
        var server: HTTPServerBuilder = .http1()
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            server = try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        let app = Application(
            router: router(),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "cuntong-sim-core"),
            onServerRunning: { [listener] channel in
                listener.channel.withLock { $0 = channel }
                onReady(channel.localAddress?.port ?? port)
            },
            logger: logger)
        if handleSignals { try await app.runService() } else { try await app.run() }
    }
}
