import Foundation
import Logging
import Settlement
import TerminalCore

/// The link to the city core as a state the clinic can trust: unknown until the first
/// contact, then up or down with the reason and since when. Every outcome of a message
/// (check-ins, settlements, recovery, this service's sign-ins) reports here; a change is
/// published (`core.up` / `core.down`) and wakes the link service when the link goes down.
package final class CoreLink: Sendable {
    let state: TerminalState
    let hub: EventHub
    let logger: Logger
    package let downs: AsyncStream<Void>
    private let down: AsyncStream<Void>.Continuation

    package init(state: TerminalState, hub: EventHub, logger: Logger = Logger(label: "cuntongd.core-link")) {
        self.state = state
        self.hub = hub
        self.logger = logger
        (downs, down) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The core answered (anything at all): the link is up.
    package func up() {
        guard state.coreContact(reachable: true) else { return }
        logger.notice("city core reachable")
        hub.publish(.coreUp) { $0.message = "医保网络已连接" }
    }

    /// The core could not be reached: the link is down, for `error`'s reason.
    package func down(_ error: SettlementError) {
        guard state.coreContact(reachable: false, reason: error.code) else { return }
        logger.warning("city core unreachable", metadata: ["code": "\(error.code)"])
        hub.publish(.coreDown) {
            $0.code = error.code
            $0.message = "医保网络中断 — 可先登记，恢复后结算"
        }
        down.yield()
    }

    /// What an outcome says about the link: unreachable and TLS failures mean down; an
    /// answer of any kind (even a refusal) means up; a timeout says nothing for sure.
    package func report(_ error: (any Error)?) {
        guard let error else { return up() }
        guard let e = error as? SettlementError else { return }
        switch e {
        case .coreUnreachable, .tls: down(e)
        case .refused, .badAnswer, .unreadableOutput, .codeRefused, .settledNeedsReview: up()
        default: break
        }
    }
}
