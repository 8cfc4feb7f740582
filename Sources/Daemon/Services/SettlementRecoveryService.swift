import CheckinDesk
import Foundation
import Logging
import ServiceLifecycle
import Settlement

/// Resolves what is in doubt at start, then every `interval`: the same as
/// `cuntong journal recover`.
package struct SettlementRecoveryService: Service {
    let box: ClientBox
    let interval: Duration
    let state: TerminalState
    let desk: CheckinDesk?
    let link: CoreLink?
    let logger: Logger
    /// The first day whose personal data is kept; reconciled days before it are redacted
    /// once a day. Nil: no redaction.
    let redactionCutoff: (@Sendable () -> String)?

    package init(client: ClientBox, interval: Duration, state: TerminalState, desk: CheckinDesk? = nil, link: CoreLink? = nil,
                logger: Logger, redactionCutoff: (@Sendable () -> String)? = nil) {
        self.box = client
        self.interval = interval
        self.state = state
        self.desk = desk
        self.link = link
        self.logger = logger
        self.redactionCutoff = redactionCutoff
    }

    /// Once a day: erase the personal data of reconciled days past the retention.
    private func redactIfDue(lastDay: inout String?) async {
        guard let redactionCutoff else { return }
        let cutoff = redactionCutoff()
        guard cutoff != lastDay else { return }
        do {
            let result = try await box.client.journal.redact(before: cutoff)
            lastDay = cutoff
            if !result.redacted.isEmpty || !result.kept.isEmpty {
                logger.notice("personal data of reconciled days erased", metadata: [
                    "cutoff": "\(cutoff)", "redacted": "\(result.redacted.joined(separator: ","))",
                    "kept": "\(result.kept.keys.sorted().joined(separator: ","))"])
            }
        } catch {
            logger.warning("redaction failed", metadata: ["error": "\(error)"])
        }
    }

    package func run() async throws {
        var lastRedaction: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await desk?.expire()
            await redactIfDue(lastDay: &lastRedaction)
            do {
                let report = try await box.client.recover()
                // Only what was really sent says anything about the link.
                if report.linkDown {
                    link?.down(.coreUnreachable("recovery could not reach it"))
                } else if report.resent + report.reversed + report.cancelled > 0 {
                    link?.up()
                }
                state.update {
                    $0.inDoubt = report.stillInDoubt
                    $0.queued = report.stillQueued
                }
                logger.info("recovery pass", metadata: [
                    "reversed": "\(report.reversed)", "settled": "\(report.settled)", "cancelled": "\(report.cancelled)",
                    "resent": "\(report.resent)", "inDoubt": "\(report.stillInDoubt)", "queued": "\(report.stillQueued)"])
            } catch {
                link?.report(error)
                logger.warning("recovery pass failed", metadata: ["error": "\(error)"])
            }
            // A graceful shutdown ends the wait at once.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        await box.client.shutdown()
    }
}
