import BlockingIO
import CLibUSB
import Foundation
import Synchronization
import TerminalCore

/// A HID scanner owned through libusb instead of hidraw: the kernel's driver is detached
/// while cuntong holds the interface (so a keyboard-wedge scanner's codes are not typed
/// into a desktop), reports arrive by asynchronous interrupt IN transfers, and libusb's
/// hot-plug callbacks announce the scanner leaving and coming back. One thread runs
/// libusb's event loop; it sleeps in libusb (poll on libusb's fds) until something happens.
package final class LibUSBScanner: ScannerSource {
    /// A scanner it may take: its ids and how to read it.
    package struct Target: Sendable {
        package var vendor: UInt16
        package var product: UInt16
        package var options: ScannerReader.Options
        package init(vendor: UInt16, product: UInt16, options: ScannerReader.Options) {
            self.vendor = vendor
            self.product = product
            self.options = options
        }
        package var name: String { String(format: "usb:%04x:%04x", vendor, product) }
    }

    /// The scanners to take, first present first; one is held at a time.
    package let targets: [Target]
    let classifier: PayloadClassifier

    package convenience init(vendor: UInt16, product: UInt16, options: ScannerReader.Options, classifier: PayloadClassifier = .standard()) {
        self.init(targets: [Target(vendor: vendor, product: product, options: options)], classifier: classifier)
    }

    package init(targets: [Target], classifier: PayloadClassifier = .standard()) {
        self.targets = targets
        self.classifier = classifier
    }

    /// Every HID scanner of the table (keyboard and HID POS), for the daemon's libusb backend.
    package static func knownHIDScanners(classifier: PayloadClassifier = .standard()) -> LibUSBScanner {
        LibUSBScanner(targets: KnownScanner.all.compactMap { s in
            guard s.mode != .serial, let id = USBID("\(s.vendor):\(s.product)") else { return nil }
            return Target(vendor: id.numeric.vendor, product: id.numeric.product,
                          options: .init(mode: s.mode, layout: s.hidposLayout))
        }, classifier: classifier)
    }

    package var name: String { targets.count == 1 ? targets[0].name : "usb" }
    let sessions = Mutex<[LibUSBSession]>([])

    package func events() -> AsyncStream<ScannerWatcher.Event> {
        let (stream, continuation) = AsyncStream<ScannerWatcher.Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let session = LibUSBSession(scanner: self, out: continuation)
        sessions.withLock { $0.append(session) }
        continuation.onTermination = { _ in session.stop() }
        DeviceThread.start("cuntong.libusb") { session.run() }
        return stream
    }

    /// Stops every stream and waits until libusb has released the device and exited, so
    /// that the process may end (libusb must not be torn down under its event thread).
    package func close() async {
        let all = sessions.withLock { s in defer { s = [] }; return s }
        for session in all {
            session.stop()
            await DeviceThread.run("cuntong.libusb.close") {
                session.finished.wait()
                session.finished.signal()
            }
        }
    }
}

/// The libusb context, the open device and the transfer in flight; touched only on the
/// event thread, except `stop()`, which wakes it.
final class LibUSBSession: @unchecked Sendable {
    let scanner: LibUSBScanner
    let out: AsyncStream<ScannerWatcher.Event>.Continuation
    let stopped = Mutex(false)
    /// The libusb context's address (a pointer is not Sendable), for stop() to wake it.
    let contextBox = Mutex<UInt>(0)
    var handle: OpaquePointer?
    var transfer: UnsafeMutablePointer<libusb_transfer>?
    var buffer: UnsafeMutablePointer<UInt8>?
    var pipeline: ScanPipeline
    var reportLength: Int
    var pendingOpen = false
    /// Attempts left at opening a scanner that is present but refused to open, and whether
    /// such a series is under way.
    var retriesLeft = 0
    var retrying = false
    /// The held device left (hot-plug): report it once, then let go of it.
    var pendingLeft = false
    var leaving = false
    /// The cancelled transfer of a scanner that left has come back. (libusb_close may not be
    /// called from a transfer callback — it waits for the lock the callback runs under — so
    /// callbacks only set flags and the loop acts on them.)
    var cancelDone = false
    var detached = false
    /// A transfer is submitted and its callback has not run yet.
    var inFlight = false
    /// Signalled once run() has released everything and exited libusb.
    let finished = DispatchSemaphore(value: 0)

    /// The scanner held now (or last), and the name events carry.
    var target: LibUSBScanner.Target
    var name: String { target.name }

    init(scanner: LibUSBScanner, out: AsyncStream<ScannerWatcher.Event>.Continuation) {
        self.scanner = scanner
        self.out = out
        target = scanner.targets.first ?? .init(vendor: 0, product: 0, options: .init(mode: .keyboard))
        reportLength = target.options.reportLength ?? 64
        pipeline = ScanPipeline(options: target.options, classifier: scanner.classifier, device: target.name)
    }

    func stop() {
        stopped.withLock { $0 = true }
        contextBox.withLock { address in
            if let ctx = OpaquePointer(bitPattern: address) { libusb_interrupt_event_handler(ctx) }
        }
    }

    func run() {
        var ctx: OpaquePointer?
        guard libusb_init(&ctx) == 0, let ctx else {
            out.yield(.failed(path: name, .deviceError(name, "libusb cannot start")))
            out.finish()
            finished.signal()
            return
        }
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(ctx)))
        contextBox.withLock { $0 = address }
        defer {
            close()
            contextBox.withLock { $0 = 0 }
            libusb_exit(ctx)
            out.finish()
            finished.signal()
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        var hotplug: libusb_hotplug_callback_handle = 0
        if libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 {
            libusb_hotplug_register_callback(
                ctx, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue),
                0, scanner.targets.count == 1 ? Int32(target.vendor) : LIBUSB_HOTPLUG_MATCH_ANY,
                scanner.targets.count == 1 ? Int32(target.product) : LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                { _, device, event, userData in
                    let session = Unmanaged<LibUSBSession>.fromOpaque(userData!).takeUnretainedValue()
                    // Opening a device is not allowed inside the callback: note it, do it after.
                    if event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED { session.pendingOpen = true }
                    if event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, let h = session.handle, libusb_get_device(h) == device {
                        session.pendingLeft = true
                    }
                    return 0
                }, me, &hotplug)
        }
        pendingOpen = true
        while !stopped.withLock({ $0 }) {
            if pendingLeft {
                pendingLeft = false
                deviceLeft()
            }
            if cancelDone {
                cancelDone = false
                finishLeaving()
            }
            if pendingOpen, !leaving {
                pendingOpen = false
                if handle == nil { open(ctx) }
            }
            if leaving {
                // The cancelled transfer of an unplugged scanner normally comes back at once; if
                // it does not within five seconds, the transfer and its handle are abandoned, not
                // freed or closed: libusb still holds them, and closing a handle under a transfer
                // in flight is a use-after-free. A few hundred bytes per such unplug.
                var tv = timeval(tv_sec: 5, tv_usec: 0)
                libusb_handle_events_timeout_completed(ctx, &tv, nil)
                if leaving && !cancelDone {
                    transfer = nil
                    inFlight = false
                    buffer = nil
                    handle = nil
                    detached = false
                    pipeline.reset()
                    leaving = false
                    pendingOpen = true
                }
            } else if retriesLeft > 0, handle == nil {
                // A scanner that is there but could not be opened yet (its node's permissions
                // or its driver still settling after it appeared): again in half a second, a few
                // times, then only on the next hot-plug event.
                var tv = timeval(tv_sec: 0, tv_usec: 500_000)
                libusb_handle_events_timeout_completed(ctx, &tv, nil)
                retriesLeft -= 1
                pendingOpen = true
            } else {
                libusb_handle_events(ctx)
            }
        }
        if hotplug != 0 { libusb_hotplug_deregister_callback(ctx, hotplug) }
        // A transfer still submitted must be cancelled and its cancellation seen before it is
        // freed (freeing a submitted transfer corrupts libusb).
        if let t = transfer, inFlight {
            libusb_cancel_transfer(t)
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            for _ in 0..<20 where inFlight { libusb_handle_events_timeout_completed(ctx, &tv, nil) }
        }
    }

    func open(_ ctx: OpaquePointer) {
        guard let (h, found) = openFirstTarget(ctx) else { return }
        target = found
        reportLength = found.options.reportLength ?? 64
        pipeline = ScanPipeline(options: found.options, classifier: scanner.classifier, device: found.name)
        // The kernel's driver (usbhid) lets go while cuntong holds the interface, and gets it
        // back when cuntong releases it (close()). Asked first, so that a kernel that cannot
        // tell (or an emulated device) does not stop the claim.
        if libusb_kernel_driver_active(h, 0) == 1, libusb_detach_kernel_driver(h, 0) == 0 {
            detached = true
        }
        let claim = libusb_claim_interface(h, 0)
        guard claim == 0 else {
            libusb_close(h)
            if failedToOpen() {
                out.yield(.failed(path: name, claim == Int32(LIBUSB_ERROR_ACCESS.rawValue)
                                  ? .permissionDenied(name) : .deviceError(name, String(cString: libusb_error_name(claim)))))
            }
            return
        }
        guard let endpoint = interruptIn(h) else {
            out.yield(.failed(path: name, .deviceError(name, "no interrupt IN endpoint on interface 0")))
            libusb_release_interface(h, 0)
            libusb_close(h)
            return
        }
        handle = h
        // HID POS: where the fields are, from the device's own report descriptor when it gives one.
        var announced = false
        let fetched = target.options.mode == .hidpos ? reportDescriptor(h, announced: &announced) : nil
        if fetched == nil && announced && !failedToOpen() {
            // It has a report descriptor but did not give it: not ready yet (just plugged in).
            // Let go and try again shortly; after the retries, read it with the published layout.
            libusb_release_interface(h, 0)
            if detached { libusb_attach_kernel_driver(h, 0) }
            detached = false
            libusb_close(h)
            handle = nil
            return
        }
        retrying = false
        retriesLeft = 0
        if let bytes = fetched, let descriptor = try? HIDReportDescriptor(bytes), let layout = HIDPOSLayout(descriptor: descriptor) {
            reportLength = layout.reportLength
            pipeline = ScanPipeline(options: target.options, classifier: scanner.classifier, device: name,
                                    decoder: HIDPOSDecoder(layout: layout), reportLength: layout.reportLength)
        }
        let length = Int32(reportLength)
        buffer = .allocate(capacity: Int(length))
        transfer = libusb_alloc_transfer(0)
        libusb_fill_interrupt_transfer(transfer, h, endpoint, buffer, length, { t in
            let session = Unmanaged<LibUSBSession>.fromOpaque(t!.pointee.user_data).takeUnretainedValue()
            session.completed(t!)
        }, Unmanaged.passUnretained(self).toOpaque(), 0)
        out.yield(.connected(path: name, mode: target.options.mode))
        submit()
    }

    /// A scanner that is there could not be opened or claimed: retried every half second, ten
    /// times (its node's permissions or its driver may still be settling after it appeared).
    /// True when that is over and the failure should be reported.
    func failedToOpen() -> Bool {
        if !retrying {
            retrying = true
            retriesLeft = 10
            return false
        }
        if retriesLeft == 0 {
            retrying = false
            return true
        }
        return false
    }

    func submit() {
        guard let t = transfer else { return }
        inFlight = libusb_submit_transfer(t) == 0
    }

    func completed(_ t: UnsafeMutablePointer<libusb_transfer>) {
        inFlight = false
        switch t.pointee.status {
        case LIBUSB_TRANSFER_COMPLETED:
            let report = UnsafeBufferPointer(start: t.pointee.buffer, count: Int(t.pointee.actual_length))
            for event in pipeline.take(ArraySlice(report), at: .now) {
                switch event {
                case .credential(let c, let at): out.yield(.credential(c, lastReport: at))
                case .rejected(let problem): out.yield(.rejected(path: name, problem))
                case .failed(let error): out.yield(.failed(path: name, error))
                }
            }
            if !stopped.withLock({ $0 }) { submit() }
        case LIBUSB_TRANSFER_NO_DEVICE:
            pendingLeft = true
        case LIBUSB_TRANSFER_CANCELLED:
            if leaving { cancelDone = true }
        default:
            // A transient error (stall, timeout): keep listening.
            if !stopped.withLock({ $0 }) { submit() }
        }
    }

    /// The scanner was unplugged (hot-plug said so, or its transfer found no device): reported
    /// once; the transfer still submitted is cancelled before the handle goes.
    func deviceLeft() {
        guard handle != nil, !leaving else { return }
        out.yield(.disconnected(path: name))
        if let t = transfer, inFlight {
            leaving = true
            libusb_cancel_transfer(t)
        } else {
            close()
        }
    }

    func finishLeaving() {
        leaving = false
        close()
        // It may already be back.
        pendingOpen = true
    }

    func close() {
        if let t = transfer, !inFlight {
            libusb_free_transfer(t)
            transfer = nil
        }
        buffer?.deallocate()
        buffer = nil
        if let h = handle {
            libusb_release_interface(h, 0)
            if detached { libusb_attach_kernel_driver(h, 0) }
            detached = false
            libusb_close(h)
            handle = nil
        }
        pipeline.reset()
    }
}
