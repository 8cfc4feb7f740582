import Foundation

/// How a scanner sends its codes.
public enum ScanMode: String, Sendable, Codable, CaseIterable {
    /// USB HID boot keyboard typing the code (hidraw or libusb).
    case keyboard
    /// USB HID POS, usage page 0x8C (hidraw or libusb).
    case hidpos
    /// USB CDC-ACM: a tty, one line per code.
    case serial
}

/// The table of scanners cuntong knows (`known-scanners.json`): data, not code.
public struct KnownScanner: Sendable, Decodable, Equatable {
    public var vendor: String
    public var product: String
    public var name: String
    public var mode: ScanMode
    public var reportLength: Int?

    struct File: Decodable { var scanners: [KnownScanner] }

    public static let all: [KnownScanner] = {
        (try? JSONDecoder().decode(File.self, from: Data(PackageResources.known_scanners_json)).scanners) ?? []
    }()

    public static func find(vendor: String, product: String) -> KnownScanner? {
        all.first { $0.vendor == vendor.lowercased() && $0.product == product.lowercased() }
    }

    /// The decoder for this mode.
    public static func decoder(for mode: ScanMode, reportLength: Int?, terminator: SerialLineDecoder.Terminator = .crlf) -> any ScanDecoder {
        switch mode {
        case .keyboard: KeyboardWedgeDecoder()
        case .hidpos: HIDPOSDecoder(reportLength: reportLength ?? 64)
        case .serial: SerialLineDecoder(terminator: terminator)
        }
    }
}
