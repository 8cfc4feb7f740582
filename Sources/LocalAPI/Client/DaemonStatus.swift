import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat
package import Foundation

/// The running daemon's `GET /v1/status` over its Unix socket, for the CLI (`status`,
/// `doctor`).
package enum DaemonStatus {
    /// The JSON as the daemon sent it; throws when it does not answer.
    package static func raw(socket: String, timeout: Int64 = 5) async throws -> Data {
        let path = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http+unix://\(path)/v1/status"),
                                                          timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw DaemonStatusError(status: Int(response.status.code)) }
        return Data(buffer: body)
    }

    /// The status as an object; nil when the daemon does not answer.
    package static func fetch(socket: String, timeout: Int64 = 3) async -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: socket),
              let data = try? await raw(socket: socket, timeout: timeout) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

struct DaemonStatusError: Error, CustomStringConvertible {
    let status: Int
    var description: String { "it answered HTTP \(status)" }
}
