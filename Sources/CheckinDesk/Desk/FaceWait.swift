import FaceTerminal
import Foundation
import Logging
import TerminalCore

/// Runs the face terminal while a check-in waits: one scan after another until a face is
/// matched, the wait ends (cancellation) or the module fails. Every outcome is published
/// with the words to show the patient.
struct FaceWait: Sendable {
    let link: FaceLink
    let hub: EventHub
    let state: TerminalState
    let logger: Logger

    func run(until deadline: ContinuousClock.Instant, offer: @escaping @Sendable (Credential) -> Void) async {
        let source = link.endpoint.description
        guard let terminal = link.client else {
            report(.deviceError(FaceError.closed(source).message), source: source)
            return
        }
        while !Task.isCancelled {
            let remaining = Int((deadline - .now).components.seconds)
            guard remaining >= 2 else { return }
            let scan: (id: String, events: AsyncStream<FaceEvent>)
            do { scan = try await terminal.scan(timeout: min(remaining, 60)) } catch {
                report(.deviceError(error.message), source: source)
                return
            }
            var last: FaceEvent?
            for await event in scan.events {
                last = event
                report(event, source: source)
                if let credential = event.credential(source: source) {
                    offer(credential)
                    return
                }
            }
            if Task.isCancelled {
                // Something else came first, or the wait was stopped: stop the module's scan.
                try? await terminal.cancel(scan: scan.id)
                return
            }
            switch last {
            case .deviceError, .refused, .none: return
            default: try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func report(_ event: FaceEvent, source: String) {
        state.update { $0.faceLastResult = event.code }
        if event.isFinal { logger.info("face scan", metadata: ["outcome": "\(event.code)"]) }
        hub.publish(.faceResult) {
            $0.device = source
            $0.code = event.code
            $0.message = event.patientMessage
        }
    }
}
