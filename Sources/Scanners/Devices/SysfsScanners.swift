import Foundation

/// A scanner device node found through sysfs, with what the table says about it.
public struct ScannerDevice: Sendable, Equatable, CustomStringConvertible {
    /// `/dev/hidraw0`, `/dev/ttyACM0`.
    public var node: String
    public var vendor: String
    public var product: String
    public var serial: String
    public var known: KnownScanner?

    public var mode: ScanMode? { known?.mode ?? (node.contains("tty") ? .serial : nil) }
    public var description: String { "\(node) (\(vendor):\(product)\(known.map { " " + $0.name } ?? ""))" }
}

/// Finds scanners through sysfs: every hidraw and ttyACM node, its USB device's
/// vendor:product and serial, matched against the table. Under umockdev the same code
/// reads the emulated sysfs.
public enum SysfsScanners {
    public static func all(sysfs: String = "/sys") -> [ScannerDevice] {
        var found: [ScannerDevice] = []
        for (cls, prefix) in [("hidraw", "hidraw"), ("tty", "ttyACM")] {
            let dir = "\(sysfs)/class/\(cls)"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
            for name in names {
                if let device = describe(node: "/dev/\(name)", sysfs: sysfs) { found.append(device) }
            }
        }
        return found
    }

    /// The known scanners only.
    public static func known(sysfs: String = "/sys") -> [ScannerDevice] {
        all(sysfs: sysfs).filter { $0.known != nil }
    }

    /// What sysfs says about a node: the USB device above it (the first parent with
    /// `idVendor`).
    public static func describe(node: String, sysfs: String = "/sys") -> ScannerDevice? {
        let name = (node as NSString).lastPathComponent
        let cls = name.hasPrefix("hidraw") ? "hidraw" : "tty"
        // /sys/class/<cls>/<name> links into /sys/devices/…; the USB device is above it.
        guard var path = realpath("\(sysfs)/class/\(cls)/\(name)") else { return nil }
        while path.count > sysfs.count + 1 {
            if let vendor = read("\(path)/idVendor"), let product = read("\(path)/idProduct") {
                return ScannerDevice(node: node, vendor: vendor, product: product, serial: read("\(path)/serial") ?? "",
                                     known: KnownScanner.find(vendor: vendor, product: product))
            }
            path = (path as NSString).deletingLastPathComponent
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func realpath(_ path: String) -> String? {
        guard let resolved = Foundation.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
