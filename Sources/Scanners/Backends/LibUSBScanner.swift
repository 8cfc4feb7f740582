import CLibUSB
import Foundation
import Synchronization
import TerminalCore

/// A HID scanner owned through libusb instead of hidraw: the kernel's driver is detached
/// while cuntong holds the interface (so a keyboard-wedge scanner's codes are not typed
/// into a desktop), reports arrive by asynchronous interrupt IN transfers, and libusb's
/// hot-plug callbacks announce the scanner leaving and coming back. One thread runs
/// libusb's event loop; it sleeps in libusb (poll on libusb's fds) until something happens.
public final class LibUSBScanner: Sendable {
    public let vendor: UInt16
    public let product: UInt16
    public let options: ScannerReader.Options
    let classifier: PayloadClassifier

    public init(vendor: UInt16, product: UInt16, options: ScannerReader.Options, classifier: PayloadClassifier = .standard()) {
        self.vendor = vendor
        self.product = product
        self.options = options
        self.classifier = classifier
    }

    public var name: String { String(format: "usb:%04x:%04x", vendor, product) }
    let sessions = Mutex<[LibUSBSession]>([])

    public func events() -> AsyncStream<ScannerWatcher.Event> {
        let (stream, continuation) = AsyncStream<ScannerWatcher.Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let session = LibUSBSession(scanner: self, out: continuation)
        sessions.withLock { $0.append(session) }
        continuation.onTermination = { _ in session.stop() }
        let thread = Thread { session.run() }
        thread.name = "cuntong.libusb"
        thread.start()
        return stream
    }

    /// Stops every stream and waits until libusb has released the device and exited, so
    /// that the process may end (libusb must not be torn down under its event thread).
    public func close() async {
        let all = sessions.withLock { s in defer { s = [] }; return s }
        for session in all {
            session.stop()
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    session.finished.wait()
                    session.finished.signal()
                    c.resume()
                }
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
    var decoder: any ScanDecoder
    var reportLength: Int
    var filter: RepeatFilter
    var pendingOpen = false
    var detached = false
    /// A transfer is submitted and its callback has not run yet.
    var inFlight = false
    /// Signalled once run() has released everything and exited libusb.
    let finished = DispatchSemaphore(value: 0)

    init(scanner: LibUSBScanner, out: AsyncStream<ScannerWatcher.Event>.Continuation) {
        self.scanner = scanner
        self.out = out
        decoder = scanner.options.decoder()
        reportLength = scanner.options.reportLength ?? 64
        filter = RepeatFilter(window: scanner.options.repeatWindow)
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
            out.yield(.failed(path: scanner.name, .deviceError(scanner.name, "libusb cannot start")))
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
                0, Int32(scanner.vendor), Int32(scanner.product), LIBUSB_HOTPLUG_MATCH_ANY,
                { _, _, event, userData in
                    let session = Unmanaged<LibUSBSession>.fromOpaque(userData!).takeUnretainedValue()
                    // Opening a device is not allowed inside the callback: note it, do it after.
                    if event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED { session.pendingOpen = true }
                    return 0
                }, me, &hotplug)
        }
        pendingOpen = true
        while !stopped.withLock({ $0 }) {
            if pendingOpen {
                pendingOpen = false
                if handle == nil { open(ctx) }
            }
            libusb_handle_events(ctx)
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
        guard let h = libusb_open_device_with_vid_pid(ctx, scanner.vendor, scanner.product) else { return }
        // The kernel's driver (usbhid) lets go while cuntong holds the interface, and gets it
        // back when cuntong releases it (close()). Asked first, so that a kernel that cannot
        // tell (or an emulated device) does not stop the claim.
        if libusb_kernel_driver_active(h, 0) == 1, libusb_detach_kernel_driver(h, 0) == 0 {
            detached = true
        }
        let claim = libusb_claim_interface(h, 0)
        guard claim == 0 else {
            out.yield(.failed(path: scanner.name, claim == Int32(LIBUSB_ERROR_ACCESS.rawValue)
                              ? .permissionDenied(scanner.name) : .deviceError(scanner.name, String(cString: libusb_error_name(claim)))))
            libusb_close(h)
            return
        }
        guard let endpoint = interruptIn(h) else {
            out.yield(.failed(path: scanner.name, .deviceError(scanner.name, "no interrupt IN endpoint on interface 0")))
            libusb_release_interface(h, 0)
            libusb_close(h)
            return
        }
        handle = h
        // HID POS: where the fields are, from the device's own report descriptor when it gives one.
        if scanner.options.mode == .hidpos, let bytes = reportDescriptor(h),
           let descriptor = try? HIDReportDescriptor(bytes), let layout = HIDPOSLayout(descriptor: descriptor) {
            decoder = HIDPOSDecoder(layout: layout)
            reportLength = layout.reportLength
        }
        let length = Int32(reportLength)
        buffer = .allocate(capacity: Int(length))
        transfer = libusb_alloc_transfer(0)
        libusb_fill_interrupt_transfer(transfer, h, endpoint, buffer, length, { t in
            let session = Unmanaged<LibUSBSession>.fromOpaque(t!.pointee.user_data).takeUnretainedValue()
            session.completed(t!)
        }, Unmanaged.passUnretained(self).toOpaque(), 0)
        out.yield(.connected(path: scanner.name, mode: scanner.options.mode))
        submit()
    }

    /// The HID report descriptor of interface 0: GET_DESCRIPTOR (report, 0x22) for the length
    /// its HID class descriptor (0x21, among the interface's extra bytes) announces — the
    /// request usbhid makes at enumeration.
    func reportDescriptor(_ h: OpaquePointer) -> [UInt8]? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(libusb_get_device(h), &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        guard config.pointee.bNumInterfaces > 0, config.pointee.interface.pointee.num_altsetting > 0 else { return nil }
        let alt = config.pointee.interface.pointee.altsetting.pointee
        guard let extra = alt.extra, alt.extra_length >= 9 else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: extra, count: Int(alt.extra_length)))
        var i = 0
        var length = 0
        while i + 1 < bytes.count, bytes[i] >= 2 {
            let size = Int(bytes[i])
            if bytes[i + 1] == 0x21, size >= 9, i + 8 < bytes.count, bytes[i + 6] == 0x22 {
                length = Int(bytes[i + 7]) | Int(bytes[i + 8]) << 8
                break
            }
            i += size
        }
        guard length > 0, length <= 4096 else { return nil }
        var buffer = [UInt8](repeating: 0, count: length)
        let got = libusb_control_transfer(h, 0x81, 0x06, 0x2200, 0, &buffer, UInt16(length), 1000)
        return got > 0 ? Array(buffer.prefix(Int(got))) : nil
    }

    /// The interface 0 endpoint that is interrupt IN.
    func interruptIn(_ h: OpaquePointer) -> UInt8? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(libusb_get_device(h), &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        guard config.pointee.bNumInterfaces > 0, config.pointee.interface.pointee.num_altsetting > 0 else { return nil }
        let alt = config.pointee.interface.pointee.altsetting.pointee
        for i in 0..<Int(alt.bNumEndpoints) {
            let ep = alt.endpoint[i]
            if ep.bEndpointAddress & 0x80 != 0 && ep.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue) {
                return ep.bEndpointAddress
            }
        }
        return nil
    }

    func submit() {
        guard let t = transfer else { return }
        inFlight = libusb_submit_transfer(t) == 0
    }

    func completed(_ t: UnsafeMutablePointer<libusb_transfer>) {
        inFlight = false
        switch t.pointee.status {
        case LIBUSB_TRANSFER_COMPLETED:
            let report = Array(UnsafeBufferPointer(start: t.pointee.buffer, count: Int(t.pointee.actual_length)))
            let arrived = ContinuousClock.now
            for decoded in decoder.feed(report) {
                switch decoded {
                case .code(let bytes):
                    guard filter.admit(bytes, at: arrived) else { continue }
                    do {
                        out.yield(.credential(try scanner.classifier.credential(from: bytes, device: scanner.name), lastReport: arrived))
                    } catch {
                        out.yield(.rejected(path: scanner.name, error))
                    }
                case .tooLong: out.yield(.rejected(path: scanner.name, .tooLong))
                case .malformedReport: out.yield(.rejected(path: scanner.name, .notPrintable))
                }
            }
            if !stopped.withLock({ $0 }) { submit() }
        case LIBUSB_TRANSFER_NO_DEVICE:
            out.yield(.disconnected(path: scanner.name))
            close()
        case LIBUSB_TRANSFER_CANCELLED:
            break
        default:
            // A transient error (stall, timeout): keep listening.
            if !stopped.withLock({ $0 }) { submit() }
        }
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
        decoder.reset()
    }
}
