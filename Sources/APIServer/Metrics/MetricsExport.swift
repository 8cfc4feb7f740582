import CheckinDesk
import Foundation
import Metrics
import Prometheus

/// Prometheus metrics: check-ins and settlements counted from the desk's events (an observer:
/// the desk knows nothing of metrics), plus gauges read from the terminal's state at each
/// scrape. No personal data, ever.
package final class MetricsExport: Sendable {
    package let registry: PrometheusCollectorRegistry
    let readers, scanners, coreReachable, coreUp, signInAge, inDoubt, queued, waiting: Prometheus.Gauge

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        readers = registry.makeGauge(name: "cuntong_readers", help: "Card readers connected.")
        scanners = registry.makeGauge(name: "cuntong_scanners", help: "QR scanners connected.")
        coreReachable = registry.makeGauge(name: "cuntong_core_reachable", help: "1 when the city core answered last time.")
        coreUp = registry.makeGauge(name: "cuntong_core_up", help: "1 while the link to the city core is up, 0 while down or not known yet.")
        signInAge = registry.makeGauge(name: "cuntong_core_signin_age_seconds", help: "Seconds since the daemon last signed in (9001); -1 before it has.")
        inDoubt = registry.makeGauge(name: "cuntong_journal_in_doubt", help: "Messages whose outcome at the core is unknown.")
        queued = registry.makeGauge(name: "cuntong_journal_queued", help: "Messages waiting for the link.")
        waiting = registry.makeGauge(name: "cuntong_checkin_waiting", help: "1 while a check-in waits for a credential.")
    }

    /// Makes swift-metrics (Counter, Timer) report into this registry. Once per process.
    package func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Counts what `hub` reports, as it is published.
    package func observe(_ hub: EventHub) {
        hub.observe { event in
            switch event.kind {
            case .identityResolved, .checkinFailed:
                let result = event.kind == .identityResolved ? "ok" : "failed"
                Counter(label: "cuntong_checkins_total",
                        dimensions: [("kind", event.credentialKind?.rawValue ?? "unknown"), ("result", result)]).increment()
            case .settlementDone, .settlementFailed, .settlementReversed:
                guard let result = event.settlementResult else { return }
                Counter(label: "cuntong_settlements_total", dimensions: [("result", result.rawValue)]).increment()
                if let duration = event.duration {
                    Timer(label: "cuntong_settlement_duration_seconds").recordNanoseconds(
                        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
                }
            default:
                break
            }
        }
    }

    func text(state: TerminalState.Snapshot) -> String {
        readers.set(Double(state.readers.count))
        scanners.set(Double(state.scanners.count))
        coreReachable.set(state.coreReachable == true ? 1.0 : 0.0)
        coreUp.set(state.coreReachable == true ? 1.0 : 0.0)
        signInAge.set(state.signedInAt.map { Date().timeIntervalSince($0).rounded() } ?? -1)
        inDoubt.set(Double(state.inDoubt))
        queued.set(Double(state.queued))
        waiting.set(state.checkinWaiting ? 1.0 : 0.0)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
