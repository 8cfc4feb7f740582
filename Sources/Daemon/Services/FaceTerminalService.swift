import CheckinDesk
import FaceTerminal
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the face terminal connected: connects, asks its status as proof it is one, and
/// waits for the line to drop (woken by the close, not by polling). A missing or unplugged
/// terminal is reported (STATUS=, /v1/status, a device event) and tried again after a pause
/// that doubles up to 30 s; the rest of the daemon carries on without it.
package struct FaceTerminalService: Service {
    let link: FaceLink
    let state: TerminalState
    let hub: EventHub
    let logger: Logger

    package init(link: FaceLink, state: TerminalState, hub: EventHub, logger: Logger) {
        self.link = link
        self.state = state
        self.hub = hub
        self.logger = logger
    }

    package func run() async throws {
        let source = link.endpoint.description
        var pause = Duration.seconds(1)
        var reportedMissing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let client = try await FaceTerminalClient.connect(link.endpoint)
                let status: FaceStatus
                do { status = try await client.status() } catch {
                    await client.close()
                    throw error
                }
                link.set(client)
                state.update { $0.faceConnected = true }
                logger.notice("face terminal connected", metadata: [
                    "device": "\(source)", "model": "\(status.model)", "state": "\(status.state)"])
                hub.publish(.deviceConnected) { $0.device = source }
                reportedMissing = false
                pause = .seconds(1)
                await withGracefulShutdownHandler {
                    await client.closed()
                } onGracefulShutdown: {
                    Task { await client.close() }
                }
                link.set(nil)
                state.update { $0.faceConnected = false }
                if Task.isShuttingDownGracefully { return }
                logger.warning("face terminal disconnected", metadata: ["device": "\(source)"])
                hub.publish(.deviceDisconnected) { $0.device = source }
            } catch {
                state.update { $0.faceConnected = false }
                if !reportedMissing {
                    logger.warning("face terminal not reachable; retrying", metadata: ["device": "\(source)", "error": "\(error)"])
                    reportedMissing = true
                }
            }
            let wait = pause
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            pause = min(pause * 2, .seconds(30))
        }
    }
}
