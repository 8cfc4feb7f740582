import CheckinDesk
import Foundation

/// The bytes of `GET /v1/events`: each event as `event: <type>` and `data: <JSON>`, a
/// comment first (so a client sees the stream open at once) and every 15 s after (so it
/// can tell the daemon is alive). Ends when the client goes or the daemon stops.
enum ServerSentEventStream {
    static func bytes(from hub: EventHub, keepAlive: Duration = .seconds(15)) -> AsyncStream<ArraySlice<UInt8>> {
        let (out, sink) = AsyncStream<ArraySlice<UInt8>>.makeStream(bufferingPolicy: .bufferingNewest(512))
        let events = hub.subscribe()
        sink.yield(ArraySlice(": cuntong events\n\n".utf8))
        let pump = Task {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for await event in events {
                guard let event = EventMapping.event(event), let json = try? encoder.encode(event) else { continue }
                sink.yield(ArraySlice(Array("event: \(event._type.rawValue)\ndata: ".utf8) + json + Array("\n\n".utf8)))
            }
            sink.finish()
        }
        let beat = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: keepAlive) } catch { return }
                sink.yield(ArraySlice(": keep-alive\n\n".utf8))
            }
        }
        sink.onTermination = { _ in
            pump.cancel()
            beat.cancel()
        }
        return out
    }
}
