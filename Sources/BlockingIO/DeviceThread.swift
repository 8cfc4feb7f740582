import Foundation

/// The one way cuntong runs blocking work: on threads of its own, never on Swift's
/// cooperative pool (two threads on a two-core terminal) and never on Dispatch's global
/// queues (on Linux their workers are that same pool's neighbours and as few). A device
/// blocked in pcsc-lite, libusb or read(2) for a minute then holds one thread of its own,
/// and every other task keeps running.
///
/// Three shapes, one per kind of wait (docs/ARCHITECTURE.md, "Blocking work"):
/// - `DeviceThread.start`: a loop that lives as long as a device is followed, waking in
///   the library's own wait (SCardGetStatusChange, libusb_handle_events);
/// - `PollLoop`: a loop that waits in poll(2) on a device's file descriptor and a wake
///   pipe (hidraw, tty, inotify): woken by the kernel, never by a timer;
/// - `BlockingQueue`: one call at a time, in order, awaited with an optional deadline
///   (pcsc-lite's transmit and connect calls).
/// `DeviceThread.run` awaits a single blocking wait (a thread's exit).
package enum DeviceThread {
    /// Starts `body` on a new thread named `name` (as `top` and `gdb` show it).
    package static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    /// Runs one blocking call on a thread of its own; the awaiting task is suspended, not
    /// blocked. For waits that end by themselves (a semaphore with a timeout, waitpid).
    package static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(name) { continuation.resume(returning: body()) }
        }
    }
}
