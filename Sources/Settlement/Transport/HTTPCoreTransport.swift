import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOSSL

/// HTTP POST to the city core with AsyncHTTPClient: connect and read timeouts from the
/// configuration, TLS verified against the configured CA (or the system's).
package final class HTTPCoreTransport: CoreTransport {
    private let client: HTTPClient
    private let baseURL: String
    private let timeout: TimeAmount

    package init(settings: CoreSettings) throws(SettlementError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw .configuration("[core] ca_file \(ca) cannot be read")
            }
            tls.trustRoots = .file(ca)
        }
        var pool = HTTPClient.Configuration.ConnectionPool()
        // A core that is down should fail at once, not after the connect timeout of retries.
        pool.retryConnectionEstablishment = false
        let config = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .milliseconds(Int64(settings.connectTimeoutMilliseconds)),
                           read: .milliseconds(Int64(settings.timeoutMilliseconds))),
            connectionPool: pool)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        baseURL = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        timeout = .milliseconds(Int64(settings.timeoutMilliseconds))
    }

    package func post(path: String, body: Data, headers: [(String, String)]) async throws(TransportFailure) -> Data {
        try await post(path: path, body: body, contentType: GatewaySigner.contentType, headers: headers)
    }

    package func post(path: String, body: Data, contentType: String, headers: [(String, String)]) async throws(TransportFailure) -> Data {
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw Self.classify(error)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch {
            throw .noAnswer("the answer was cut off: \(error)")
        }
        guard response.status == .ok else {
            // The core failed somewhere while handling it: it may have committed.
            throw .noAnswer("HTTP \(response.status.code)")
        }
        return Data(buffer: bytes)
    }

    package func download(path: String, body: Data, headers: [(String, String)], to file: URL) async throws(TransportFailure) -> DownloadedBody {
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: GatewaySigner.contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            // No overall deadline: a large file on a slow uplink takes what it takes; the read
            // timeout still ends a transfer that stalls.
            response = try await client.execute(request, deadline: .distantFuture)
        } catch {
            throw Self.classify(error)
        }
        guard response.status == .ok else { throw .noAnswer("HTTP \(response.status.code)") }
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw .noAnswer("the download cannot be written to \(file.path)")
        }
        defer { try? handle.close() }
        var written = 0
        do {
            for try await chunk in response.body {
                try handle.write(contentsOf: chunk.readableBytesView)
                written += chunk.readableBytes
            }
        } catch {
            throw .noAnswer("the file was cut off after \(written) bytes: \(error)")
        }
        return DownloadedBody(contentType: response.headers.first(name: "Content-Type"), bytes: written)
    }

    /// Connection errors before the request was written mean "not sent"; anything after
    /// (timeouts, resets, closed connections) means "may have taken effect".
    static func classify(_ error: any Error) -> TransportFailure {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .getConnectionFromPoolTimeout, .invalidURL, .emptyHost, .emptyScheme:
                return .notSent("\(e)")
            case .tlsHandshakeTimeout:
                return .tls("TLS handshake timed out")
            case .readTimeout, .deadlineExceeded:
                return .noAnswer("no answer in time")
            default:
                return .noAnswer("\(e)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return .tls("\(error)")
        }
        if let e = error as? NIOConnectionError {
            return .notSent(e.connectionErrors.first.map { "\($0.error)" } ?? "connection failed")
        }
        if let e = error as? IOError, e.errnoCode == ECONNREFUSED || e.errnoCode == ENETUNREACH || e.errnoCode == EHOSTUNREACH {
            return .notSent("\(e)")
        }
        if let e = error as? ChannelError, case .connectTimeout = e {
            return .notSent("connect timed out")
        }
        return .noAnswer("\(error)")
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    /// A transport dropped without `shutdown()` (a command or test that ended on an error)
    /// still closes its connections; the client keeps itself alive until that is done.
    deinit {
        client.shutdown { _ in }
    }
}
