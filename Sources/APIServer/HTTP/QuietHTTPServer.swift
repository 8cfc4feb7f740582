import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Hummingbird's Application, less its once-a-second date-cache timer: an idle terminal
/// daemon should not wake up when nothing happens. The Date header is formatted per
/// response instead (a clinic sends a few requests a minute).
enum QuietHTTPServer {
    static func service(router: Router<BasicRequestContext>, address: BindAddress, logger: Logger,
                        onServerRunning: @escaping @Sendable (any Channel) async -> Void) throws -> any Service {
        let responder = router.buildResponder()
        return try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: address, serverName: "cuntongd"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
            responder: { request, responseWriter, channel in
                let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let error as any HTTPResponseError {
                    response = try error.response(from: request, context: context)
                } catch {
                    logger.warning("request failed", metadata: ["error": "\(error)"])
                    response = Response(status: .internalServerError)
                }
                response.headers[.date] = httpDate(Date())
                response.headers[.server] = "cuntongd"
                try await responseWriter.write(response: response.head, body: response.body)
            },
            onServerRunning: onServerRunning)
    }

    /// RFC 9110 IMF-fixdate.
    static func httpDate(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
            locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!, calendar: Calendar(identifier: .gregorian)))
    }
}
