import Foundation
import Synchronization

/// A thread that waits in poll(2) on one file descriptor and a wake pipe, and calls
/// `readable` each time the descriptor is readable (or hung up). It ends when `readable`
/// says so, when poll fails, or when `stop()` writes to the pipe; then `ended` runs on the
/// thread, once, and the pipe is closed. The descriptor itself stays the caller's.
package final class PollLoop: Sendable {
    package enum Step: Sendable { case next, stop }
    package enum End: Sendable, Equatable {
        /// `stop()` was called.
        case stopped
        /// `readable` returned `.stop`.
        case finished
        /// poll(2) failed with this errno.
        case failed(Int32)
    }

    private let wakeWrite: Int32
    private let closed = Mutex(false)

    private init(wakeWrite: Int32) { self.wakeWrite = wakeWrite }

    /// Starts the loop; nil (with errno set) when no pipe could be made.
    package static func start(_ name: String, fd: Int32, readable: @escaping @Sendable (Int32) -> Step,
                              ended: @escaping @Sendable (End) -> Void) -> PollLoop? {
        var wake: [Int32] = [-1, -1]
        guard pipe(&wake) == 0 else { return nil }
        for end in wake {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        let loop = PollLoop(wakeWrite: wake[1])
        let wakeRead = wake[0]
        DeviceThread.start(name) {
            var end = End.stopped
            while true {
                var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                if poll(&fds, 2, -1) < 0 {
                    if errno == EINTR { continue }
                    end = .failed(errno)
                    break
                }
                if fds[1].revents != 0 { end = .stopped; break }
                if fds[0].revents != 0, readable(fd) == .stop { end = .finished; break }
            }
            ended(end)
            // The write end first, under the lock `stop()` takes: a stop can then never
            // write into a pipe whose reader is gone (SIGPIPE).
            loop.closeWake()
            close(wakeRead)
        }
        return loop
    }

    /// Wakes the thread; it ends after the call of `readable` in progress, if any.
    package func stop() {
        closed.withLock { closed in
            guard !closed else { return }
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)
        }
    }

    private func closeWake() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            close(wakeWrite)
        }
    }
}
