import Foundation
import TerminalCore

/// What a scanned code is. Only what cannot be a credential is refused here: bytes a code
/// never has, more than 2 KB, and plain product barcodes (EAN/UPC). Everything else goes to
/// the platform, which alone knows what it issued; the rules in `qr-classes.json` (data,
/// extended by `[credentials] rules` in the configuration) only route a code to a decoder
/// and name it for people. A code no rule names is `unclassifiedQRCode`, never refused.
package struct PayloadClassifier: Sendable {
    package struct Rule: Sendable, Decodable {
        package var kind: String
        package var name: String
        package var pattern: String

        package init(kind: String, name: String, pattern: String) {
            self.kind = kind
            self.name = name
            self.pattern = pattern
        }
    }
    struct File: Decodable {
        var rules: [Rule]
    }

    package enum Classification: Sendable, Equatable {
        case credential(Credential.Kind, name: String)
        case unknown
    }

    package enum Problem: TerminalError, Equatable {
        case tooLong
        case notPrintable
        case productBarcode
        /// A classification rule in the configuration that cannot be used.
        case badRule(String)

        package var code: String {
            switch self {
            case .tooLong: "SCAN-TOO-LONG"
            case .notPrintable: "SCAN-GARBAGE"
            case .productBarcode: "SCAN-PRODUCT-BARCODE"
            case .badRule: "CONFIG-INVALID"
            }
        }

        package var message: String {
            switch self {
            case .tooLong:
                "The scanned code is longer than 2 KB: it is not a medical-insurance code. Scan the patient's code again."
            case .notPrintable:
                "What was scanned is not a medical-insurance code (it has characters a code never has). Ask the patient to open the code in the app and scan again."
            case .productBarcode:
                "That is a product barcode (EAN/UPC), not a patient's code. Ask the patient to open the 医保码 (medical-insurance code) in the app and scan the QR code."
            case .badRule(let why):
                "A code classification rule in the configuration cannot be used: \(why)."
            }
        }
    }

    let rules: [(Rule, Credential.Kind, NSRegularExpression)]

    /// Rules that route codes; a rule may name any QR kind.
    package init(rules: [Rule]) throws(Problem) {
        var compiled: [(Rule, Credential.Kind, NSRegularExpression)] = []
        for rule in rules {
            guard let kind = Credential.Kind(rawValue: rule.kind), Self.qrKinds.contains(kind) else {
                throw .badRule("kind \"\(rule.kind)\" is not one of \(Self.qrKinds.map(\.rawValue).joined(separator: ", "))")
            }
            guard let regex = try? NSRegularExpression(pattern: rule.pattern) else {
                throw .badRule("the pattern of \(rule.name) is not a regular expression")
            }
            compiled.append((rule, kind, regex))
        }
        self.rules = compiled
    }

    static let qrKinds: [Credential.Kind] = [.medicalInsuranceQRCode, .electronicSocialSecurityQRCode, .unclassifiedQRCode]

    /// The rules shipped with cuntong.
    package static let shippedRules: [Rule] =
        try! JSONDecoder().decode(File.self, from: Data(PackageResources.qr_classes_json)).rules

    package static func standard() -> PayloadClassifier { try! PayloadClassifier(rules: shippedRules) }

    /// The configuration's rules first (they may name codes the shipped rules do not), then
    /// the shipped ones.
    package static func with(configured: [Rule]) throws(Problem) -> PayloadClassifier {
        try PayloadClassifier(rules: configured + shippedRules)
    }

    /// Checks a decoded code and turns it into text: printable ASCII (0x20–0x7E), bounded.
    package static func text(of bytes: [UInt8]) throws(Problem) -> String {
        guard bytes.count <= ScanLimits.maximumLength else { throw .tooLong }
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { throw .notPrintable }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// EAN-8, UPC-A, EAN-13 and GTIN-14 are 8, 12, 13 or 14 digits and nothing else: the
    /// barcodes of goods, which a patient's code never is.
    package static func isProductBarcode(_ text: String) -> Bool {
        [8, 12, 13, 14].contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    package func classify(_ text: String) -> Classification {
        let range = NSRange(text.startIndex..., in: text)
        for (rule, kind, regex) in rules where regex.firstMatch(in: text, range: range) != nil {
            return .credential(kind, name: rule.name)
        }
        return .unknown
    }

    /// A decoded code as a credential, or the reason it cannot be one.
    package func credential(from bytes: [UInt8], device: String) throws(Problem) -> Credential {
        let text = try Self.text(of: bytes)
        guard !Self.isProductBarcode(text) else { throw .productBarcode }
        guard case .credential(let kind, _) = classify(text) else {
            return Credential(kind: .unclassifiedQRCode, payload: text, source: device)
        }
        return Credential(kind: kind, payload: text, source: device)
    }
}

/// The same code scanned twice within `window` counts once: a patient holding the phone
/// under the scanner makes it read the code again and again.
package struct RepeatFilter: Sendable {
    package let window: Duration
    private var last: (code: [UInt8], at: ContinuousClock.Instant)?

    package init(window: Duration = .seconds(3)) { self.window = window }

    package mutating func admit(_ code: [UInt8], at now: ContinuousClock.Instant = .now) -> Bool {
        defer { last = (code, now) }
        if let last, last.code == code, now - last.at < window { return false }
        return true
    }
}
