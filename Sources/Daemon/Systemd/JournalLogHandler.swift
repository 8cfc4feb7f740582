import Foundation
import Logging
import Synchronization

/// Log lines for journald: when systemd connects stderr to the journal (it sets
/// JOURNAL_STREAM), each line starts with its syslog priority (`<3>`, `<6>` …, as
/// sd-daemon(3) describes) and carries no timestamp of its own — the journal keeps both.
/// Elsewhere, swift-log's usual stderr lines.
package struct JournalLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    let label: String
    static let lock = Mutex(())

    package init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    /// The handler the daemon bootstraps swift-log with.
    package static func factory(level: Logger.Level) -> @Sendable (String) -> any LogHandler {
        if ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil {
            return { JournalLogHandler(label: $0, level: level) }
        }
        return { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    package func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "<\(Self.priority(event.level))>\(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n"
        Self.lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
