import Foundation

/// Carries one message to the city core and brings its answer back. The real one is HTTP
/// (`HTTPCoreTransport`); tests use the same interface against the real simulator.
package protocol CoreTransport: Sendable {
    /// POSTs `body` (JSON) to `path` under the core's URL (or to `path` itself when it is a
    /// full URL), with extra `headers` (the gateway's), and returns the answer's body.
    func post(path: String, body: Data, headers: [(String, String)]) async throws(TransportFailure) -> Data
    /// POSTs `body` with its own content type (9101's multipart form) instead of JSON.
    func post(path: String, body: Data, contentType: String, headers: [(String, String)]) async throws(TransportFailure) -> Data
    /// POSTs like `post` and streams the answer's body into `file` (created or truncated)
    /// instead of memory: 9102's answer is a file of any size. Returns its content type and
    /// length; the caller decides whether it is a file or a JSON refusal.
    func download(path: String, body: Data, headers: [(String, String)], to file: URL) async throws(TransportFailure) -> DownloadedBody
    func shutdown() async
}

/// What a download wrote.
package struct DownloadedBody: Sendable, Equatable {
    package var contentType: String?
    package var bytes: Int
    package init(contentType: String?, bytes: Int) {
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// Why a message got no usable answer, split by what it means for money: whether the core
/// may have acted on the message.
package enum TransportFailure: Error, Sendable, Equatable {
    /// The request never left: no connection could be made.
    case notSent(String)
    /// The request may have reached the core, but no answer came (timeout, reset, 5xx).
    case noAnswer(String)
    /// TLS could not be established; nothing was sent.
    case tls(String)

    package var mayHaveTakenEffect: Bool {
        if case .noAnswer = self { return true }
        return false
    }
}
