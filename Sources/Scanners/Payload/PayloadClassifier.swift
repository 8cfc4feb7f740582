import Foundation
import TerminalCore

/// What a scanned code is, by the rules in `qr-classes.json` (data, so a province whose
/// codes differ is fixed by editing data). Checks come first: printable ASCII only, at
/// most 2 KB.
public struct PayloadClassifier: Sendable {
    public struct Rule: Sendable, Decodable {
        public var kind: String
        public var name: String
        public var pattern: String
    }
    struct File: Decodable {
        var rules: [Rule]
    }

    public enum Classification: Sendable, Equatable {
        case credential(Credential.Kind, name: String)
        case unknown
    }

    public enum Problem: TerminalError, Equatable {
        case tooLong
        case notPrintable
        case unknown

        public var code: String {
            switch self {
            case .tooLong: "SCAN-TOO-LONG"
            case .notPrintable: "SCAN-GARBAGE"
            case .unknown: "SCAN-UNKNOWN-CODE"
            }
        }

        public var message: String {
            switch self {
            case .tooLong:
                "The scanned code is longer than 2 KB: it is not a medical-insurance code. Scan the patient's code again."
            case .notPrintable:
                "What was scanned is not a medical-insurance code (it has characters a code never has). Ask the patient to open the code in the app and scan again."
            case .unknown:
                "This code is not a 医保电子凭证 or 电子社保卡 code. Ask the patient to open the medical-insurance code in the app."
            }
        }
    }

    let rules: [(Rule, Credential.Kind, NSRegularExpression)]

    public init(rules: [Rule]) throws {
        self.rules = try rules.map { rule in
            guard let kind = Credential.Kind(rawValue: rule.kind) else {
                throw Problem.unknown
            }
            return (rule, kind, try NSRegularExpression(pattern: rule.pattern))
        }
    }

    /// The rules shipped with cuntong.
    public static func standard() -> PayloadClassifier {
        let file = try! JSONDecoder().decode(File.self, from: Data(PackageResources.qr_classes_json))
        return try! PayloadClassifier(rules: file.rules)
    }

    /// Checks a decoded code and turns it into text: printable ASCII (0x20–0x7E), bounded.
    public static func text(of bytes: [UInt8]) throws(Problem) -> String {
        guard bytes.count <= ScanLimits.maximumLength else { throw .tooLong }
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { throw .notPrintable }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func classify(_ text: String) -> Classification {
        let range = NSRange(text.startIndex..., in: text)
        for (rule, kind, regex) in rules where regex.firstMatch(in: text, range: range) != nil {
            return .credential(kind, name: rule.name)
        }
        return .unknown
    }

    /// A decoded code as a credential, or the reason it is not one.
    public func credential(from bytes: [UInt8], device: String) throws(Problem) -> Credential {
        let text = try Self.text(of: bytes)
        guard case .credential(let kind, _) = classify(text) else { throw .unknown }
        return Credential(kind: kind, payload: text, source: device)
    }
}

/// The same code scanned twice within `window` counts once: a patient holding the phone
/// under the scanner makes it read the code again and again.
public struct RepeatFilter: Sendable {
    public let window: Duration
    private var last: (code: [UInt8], at: ContinuousClock.Instant)?

    public init(window: Duration = .seconds(3)) { self.window = window }

    public mutating func admit(_ code: [UInt8], at now: ContinuousClock.Instant = .now) -> Bool {
        defer { last = (code, now) }
        if let last, last.code == code, now - last.at < window { return false }
        return true
    }
}
