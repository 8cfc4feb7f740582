import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle
import Synchronization

/// Where the API listens: the Unix socket always, loopback TCP with a token when configured.
package struct APIListeners: Sendable {
    package var socket: String
    /// Socket group (0660); nil or a missing group leaves the process's own group.
    package var group: String?
    package var tcpHost: String?
    package var tcpPort: Int?
    package var token: String?

    package init(socket: String, group: String? = "cuntong", tcpHost: String? = nil, tcpPort: Int? = nil, token: String? = nil) {
        self.socket = socket
        self.group = group
        self.tcpHost = tcpHost
        self.tcpPort = tcpPort
        self.token = token
    }
}

/// Fires once: the daemon tells systemd READY=1 only when the API is listening.
package final class ReadySignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    package init() {}
    package func fire() {
        let waiters = state.withLock { s in
            defer { s = (true, []) }
            return s.fired ? [] : s.waiters
        }
        for w in waiters { w.resume() }
    }
    package func wait() async {
        await withCheckedContinuation { c in
            let now = state.withLock { s in
                if s.fired { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Waits until fired or until the daemon stops (a graceful shutdown or a cancellation
    /// fires it, so every waiter goes on and sees the daemon stopping).
    package func waitUnlessStopping() async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler { await wait() } onCancel: { self.fire() }
        } onGracefulShutdown: { self.fire() }
    }
}

/// Serves the local API and the check-in page. On a graceful shutdown the event streams
/// end and a waiting check-in is stopped, so the servers can finish the requests in
/// flight (a settlement under way completes and is journaled) and stop.
package struct APIService: Service {
    let handler: APIHandler
    let listeners: APIListeners
    let ready: ReadySignal
    let logger: Logger

    package init(handler: APIHandler, listeners: APIListeners, ready: ReadySignal, logger: Logger) {
        self.handler = handler
        self.listeners = listeners
        self.ready = ready
        self.logger = logger
    }

    func router(token: String?) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware<BasicRequestContext>())
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        CheckinPage.register(on: router)
        try handler.registerHandlers(on: router)
        return router
    }

    package func run() async throws {
        let socketPath = listeners.socket
        let group = listeners.group
        let log = logger
        var servers: [any Service] = []
        let expected = listeners.tcpPort == nil ? 1 : 2
        let running = Atomic<Int>(0)
        let ready = self.ready
        let started: @Sendable () -> Void = {
            if running.add(1, ordering: .acquiringAndReleasing).newValue == expected { ready.fire() }
        }
        let httpLogger = Logger(label: "cuntongd.http")
        servers.append(try QuietHTTPServer.service(
            router: try router(token: nil), address: .unixDomainSocket(path: socketPath), logger: httpLogger) { _ in
                SocketPermissions.apply(path: socketPath, group: group, logger: log)
                log.notice("local API listening", metadata: ["socket": "\(socketPath)"])
                started()
            })
        if let port = listeners.tcpPort, let token = listeners.token {
            let host = listeners.tcpHost ?? "127.0.0.1"
            servers.append(try QuietHTTPServer.service(
                router: try router(token: token), address: .hostname(host, port: port), logger: httpLogger) { channel in
                    log.notice("local API listening on loopback (bearer token)", metadata: [
                        "address": "\(host):\(channel.localAddress?.port ?? port)"])
                    started()
                })
        }
        let hub = handler.hub, desk = handler.desk
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                for server in servers { tasks.addTask { try await server.run() } }
            }
        } onGracefulShutdown: {
            hub.close()
            Task { await desk.stopWaiting() }
        }
        try? FileManager.default.removeItem(atPath: socketPath)
    }
}

/// The socket is the API's permission: mode 0660, group cuntong.
enum SocketPermissions {
    static func apply(path: String, group: String?, logger: Logger) {
        if chmod(path, 0o660) != 0 {
            logger.warning("cannot set the API socket's mode", metadata: ["socket": "\(path)", "errno": "\(errno)"])
        }
        guard let group, let entry = getgrnam(group) else { return }
        if chown(path, uid_t.max, entry.pointee.gr_gid) != 0 {
            logger.warning("cannot give the API socket to its group", metadata: ["socket": "\(path)", "group": "\(group)"])
        }
    }
}

/// A request the API cannot read (no body, a path id out of range, a query value of the
/// wrong type) and an unknown path answer with a Problem, like every other error, instead
/// of an empty 500 or 404.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            // Thrown before the operation ran: the request could not be read.
            let readable = error.operationInput != nil
            return Self.problem(readable ? .internalServerError : .badRequest, readable ? "INTERNAL" : "REQUEST-INVALID",
                                readable ? "The terminal failed to answer \(error.operationID); see its log."
                                         : "The request is not valid (\(error.operationID)): \(error.causeDescription).")
        } catch let error as HTTPError where error.status == .notFound {
            return Self.problem(.notFound, "API-NOT-FOUND", "There is no \(request.method) \(request.uri.path) in this API (docs/api.yaml).")
        }
    }

    static func problem(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["code": code, "message": message])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The TCP listener's guard: `Authorization: Bearer <token>` (or `access_token=` in the
/// query, for the page's EventSource, which cannot set headers). The page itself is open.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/" || path.hasPrefix("/page/") { return try await next(request, context) }
        let presented = request.headers[.authorization].flatMap { h in h.hasPrefix("Bearer ") ? String(h.dropFirst(7)) : nil }
            ?? request.uri.queryParameters.get("access_token")
        guard let presented, Self.equal(Array(presented.utf8), Array(token.utf8)) else {
            let body = #"{"code":"API-UNAUTHORIZED","message":"This address needs the terminal's API token (Authorization: Bearer …)."}"#
            return Response(status: .unauthorized,
                            headers: [.contentType: "application/json", .wwwAuthenticate: "Bearer"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the first difference is.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
