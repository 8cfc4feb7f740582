import Foundation

/// Running the built executables from tests: shared by the card and settlement suites.
package enum ProcessRunner {
    package static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where `swift build` put the executables: beside the test bundle.
    package static var binDirectory: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir
    }

    package struct Result: Sendable {
        package let status: Int32
        /// True when the process was killed by a signal (`status` is then the signal).
        package let signaled: Bool
        package let stdout: String
        package let stderr: String
    }

    /// Runs a program to completion, collecting its output. The waiting happens on dispatch
    /// threads: blocking the cooperative pool would stall in-process simulators.
    package static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try spawn(process)
        if let input, let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        // Dedicated threads, not Dispatch's global queue: its pool is about one thread per
        // core on Linux, so a few tests blocking in it at once starve everything else.
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                nonisolated(unsafe) var o = Data()
                let readerDone = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    o = out.fileHandleForReading.readDataToEndOfFile()
                    readerDone.signal()
                }
                let e = err.fileHandleForReading.readDataToEndOfFile()
                readerDone.wait()
                process.waitUntilExit()
                continuation.resume(returning: Result(
                    status: process.terminationStatus,
                    signaled: process.terminationReason == .uncaughtSignal,
                    stdout: String(decoding: o, as: UTF8.self),
                    stderr: String(decoding: e, as: UTF8.self)))
            }
        }
    }

    /// Starts a process with no signals blocked. A child inherits the spawning thread's
    /// signal mask, and Swift concurrency's threads block nearly all signals: without this,
    /// `terminate()` (SIGTERM) would never reach the child.
    package static func spawn(_ process: Process) throws {
        var empty = sigset_t(), saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
    }

    package static func executable(_ name: String) -> String {
        binDirectory.appendingPathComponent(name).path
    }
}
