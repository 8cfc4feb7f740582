import Dispatch
import Foundation
import Synchronization

/// Runs blocking C calls (pcsc-lite's are all blocking) on a private serial thread so
/// they never tie up Swift's cooperative thread pool, with an optional deadline.
///
/// A thread of its own, not a serial DispatchQueue: on Linux a dispatch queue borrows a
/// worker of the pool Swift concurrency also runs on, and pcsc-lite can block for up to a
/// minute (a pcscd restart), which starved the whole process.
///
/// When the deadline passes or the waiting task is cancelled, the caller is released at
/// once; the C call itself cannot be interrupted and finishes on the thread later, its
/// result dropped. Everything queued after it waits for it, which is why one card read
/// uses one PC/SC context of its own.
package final class BlockingQueue: Sendable {
    private let queue: SerialThread

    package init(label: String) {
        queue = SerialThread(label: label)
    }

    package func run<T: Sendable>(
        deadline: Duration? = nil,
        onDeadline: @escaping @Sendable () -> any Error = { CancellationError() },
        _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let once = OnceContinuation<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                once.install(continuation)
                queue.async { once.resume(Result { try body() }) }
                if let deadline {
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(deadline / .milliseconds(1)))) {
                        once.resume(.failure(onDeadline()))
                    }
                }
            }
        } onCancel: {
            once.resume(.failure(CancellationError()))
        }
    }

    /// For work that must run after everything already queued (closing handles).
    package func async(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}

/// A continuation that is resumed exactly once, whichever of result, deadline or
/// cancellation comes first; a resume that arrives before the continuation is installed
/// is kept and delivered on install.
private final class OnceContinuation<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, any Error>)
        case early(Result<T, any Error>)
        case done
    }
    private let state = Mutex<State>(.empty)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .waiting(continuation)
                return nil
            case .early(let result):
                state = .done
                return result
            case .waiting, .done:
                preconditionFailure("continuation installed twice")
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .early(result)
                return nil
            case .waiting(let c):
                state = .done
                return c
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}

/// One thread running the blocks given to it, in order. It ends when the last reference
/// goes (after what was queued before).
private final class SerialThread: Sendable {
    private enum Job { case run(@Sendable () -> Void), stop }
    private final class Inbox: Sendable {
        let jobs = Mutex<[Job]>([])
        let ready = DispatchSemaphore(value: 0)
        func put(_ job: Job) {
            jobs.withLock { $0.append(job) }
            ready.signal()
        }
        func take() -> Job {
            while true {
                ready.wait()
                if let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return job }
            }
        }
    }
    private let inbox = Inbox()

    package init(label: String) {
        let inbox = self.inbox
        DeviceThread.start(label) {
            while case .run(let body) = inbox.take() { body() }
        }
    }

    func async(execute body: @escaping @Sendable () -> Void) { inbox.put(.run(body)) }

    deinit { inbox.put(.stop) }
}
