import Foundation

/// One interface for every way cuntong reads scanners — device nodes (hidraw and tty,
/// followed in /dev) and libusb (the kernel driver detached while held) — so the daemon and
/// the CLI consume the same events whatever the backend.
package protocol ScannerSource: Sendable {
    /// Scanners connecting and leaving, and what they read, until the consumer stops.
    func events() -> AsyncStream<ScannerWatcher.Event>
    /// Lets go of the devices (libusb gives the kernel its driver back).
    func close() async
}

extension ScannerWatcher: ScannerSource {
    package func close() async {}
}

/// Several sources read as one (libusb for the HID scanners, tty nodes for the serial ones).
package struct MergedScannerSource: ScannerSource {
    let sources: [any ScannerSource]

    package init(_ sources: [any ScannerSource]) {
        self.sources = sources
    }

    package func events() -> AsyncStream<ScannerWatcher.Event> {
        let (stream, continuation) = AsyncStream<ScannerWatcher.Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let sources = self.sources
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for source in sources {
                    group.addTask {
                        for await event in source.events() { continuation.yield(event) }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    package func close() async {
        for source in sources { await source.close() }
    }
}

/// The one decode loop: a device's bytes or reports in, scanner events out — split into
/// reports, decoded in the mode's decoder, repeats within the window dropped, each code
/// checked and named. Every backend feeds it.
struct ScanPipeline {
    private var decoder: any ScanDecoder
    private var filter: RepeatFilter
    private let classifier: PayloadClassifier
    private let device: String
    private var splitter: ReportSplitter

    init(options: ScannerReader.Options, classifier: PayloadClassifier, device: String, decoder: (any ScanDecoder)? = nil,
         reportLength: Int? = nil) {
        self.decoder = decoder ?? options.decoder()
        self.filter = RepeatFilter(window: options.repeatWindow)
        self.classifier = classifier
        self.device = device
        self.splitter = ReportSplitter(reportLength: reportLength ?? options.reportLength)
    }

    mutating func take(_ bytes: ArraySlice<UInt8>, at arrived: ContinuousClock.Instant) -> [ScannerReader.Event] {
        var events: [ScannerReader.Event] = []
        for chunk in splitter.split(bytes) {
            for decoded in decoder.feed(chunk) {
                switch decoded {
                case .code(let code):
                    guard filter.admit(code, at: arrived) else { continue }
                    do {
                        events.append(.credential(try classifier.credential(from: code, device: device), lastReport: arrived))
                    } catch {
                        events.append(.rejected(error))
                    }
                case .tooLong: events.append(.rejected(.tooLong))
                case .malformedReport: events.append(.rejected(.notPrintable))
                }
            }
        }
        return events
    }

    mutating func reset() {
        decoder.reset()
        splitter.pending = []
    }
}

/// hidraw and libusb deliver whole reports; an emulated node may join them: split by the
/// report's size (a tty's bytes pass as they come).
struct ReportSplitter {
    let reportLength: Int?
    var pending: [UInt8] = []

    init(reportLength: Int?) {
        self.reportLength = reportLength
    }

    mutating func split(_ bytes: ArraySlice<UInt8>) -> [[UInt8]] {
        guard let reportLength else { return [Array(bytes)] }
        pending += bytes
        var reports: [[UInt8]] = []
        while pending.count >= reportLength {
            reports.append(Array(pending.prefix(reportLength)))
            pending.removeFirst(reportLength)
        }
        return reports
    }
}
