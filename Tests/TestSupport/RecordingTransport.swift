import Foundation
import Settlement
import Synchronization

/// The real HTTP transport, keeping a copy of every request body and its path: the tests
/// read exactly what went on the wire.
package final class RecordingTransport: CoreTransport {
    let inner: HTTPCoreTransport
    private let sent = Mutex<[(path: String, body: Data)]>([])

    package init(settings: CoreSettings) throws {
        inner = try HTTPCoreTransport(settings: settings)
    }

    package var requests: [(path: String, body: Data)] { sent.withLock { $0 } }

    package func post(path: String, body: Data, headers: [(String, String)]) async throws(TransportFailure) -> Data {
        sent.withLock { $0.append((path, body)) }
        return try await inner.post(path: path, body: body, headers: headers)
    }

    package func post(path: String, body: Data, contentType: String, headers: [(String, String)]) async throws(TransportFailure) -> Data {
        sent.withLock { $0.append((path, body)) }
        return try await inner.post(path: path, body: body, contentType: contentType, headers: headers)
    }

    package func download(path: String, body: Data, headers: [(String, String)], to file: URL) async throws(TransportFailure) -> DownloadedBody {
        sent.withLock { $0.append((path, body)) }
        return try await inner.download(path: path, body: body, headers: headers, to: file)
    }

    package func shutdown() async { await inner.shutdown() }
}
