import ArgumentParser
import Foundation
import TerminalCore

/// stdout for results, stderr for errors: a script can rely on stdout holding only the result.
enum Output {
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("cuntong: " + text + "\n").utf8))
    }

    /// Prints the error on stderr and ends the command with a non-zero status.
    static func fail(_ error: some TerminalError) -> ExitCode {
        Output.error(error.description)
        return ExitCode(1)
    }
}
