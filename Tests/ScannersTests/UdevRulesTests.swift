import Foundation
import HardwareSim
import Scanners
import TestSupport
import Testing

/// udev/70-cuntong-scanners.rules: generated from the table, well-formed, and matching the
/// sample devices (the simulator's umockdev descriptions) — and nothing else.
@Suite("udev rules")
struct UdevRulesTests {
    static let path = ProcessRunner.packageRoot.path + "/udev/70-cuntong-scanners.rules"

    struct Clause: Equatable {
        var key: String
        var op: String
        var value: String
    }

    /// One rule line as udev reads it: `KEY{attr}OP"value"`, comma-separated.
    static func parse(_ line: String) -> [Clause]? {
        let pattern = try! NSRegularExpression(pattern: #"^\s*([A-Z]+(?:\{[A-Za-z_]+\})?)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*(,|$)"#)
        var rest = Substring(line)
        var clauses: [Clause] = []
        while !rest.trimmingCharacters(in: .whitespaces).isEmpty {
            let s = String(rest)
            guard let m = pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
            func group(_ i: Int) -> String { String(s[Range(m.range(at: i), in: s)!]) }
            clauses.append(Clause(key: group(1), op: group(2), value: group(3)))
            rest = rest.dropFirst(s.distance(from: s.startIndex, to: Range(m.range, in: s)!.upperBound))
        }
        return clauses
    }

    static let knownKeys = ["ACTION", "SUBSYSTEM", "KERNEL", "ATTRS", "ATTR", "ENV", "GROUP", "MODE", "TAG", "SYMLINK", "GOTO", "LABEL"]

    /// A device chain from a umockdev description: the node first, then its parents.
    struct Device {
        var name: String
        var properties: [String: String]
        var attributes: [String: String]
    }

    static func devices(_ umockdev: String) -> [Device] {
        umockdev.components(separatedBy: "\n\n").compactMap { block in
            var d = Device(name: "", properties: [:], attributes: [:])
            for line in block.split(separator: "\n") {
                let body = String(line.dropFirst(3))
                if line.hasPrefix("N: ") { d.name = body }
                if line.hasPrefix("E: "), let eq = body.firstIndex(of: "=") { d.properties[String(body[..<eq])] = String(body[body.index(after: eq)...]) }
                if line.hasPrefix("A: "), let eq = body.firstIndex(of: "=") { d.attributes[String(body[..<eq])] = String(body[body.index(after: eq)...]) }
                if line.hasPrefix("P: ") && d.name.isEmpty { d.name = String(body.split(separator: "/").last ?? "") }
            }
            return d.properties.isEmpty ? nil : d
        }
    }

    /// Whether a rule's match clauses all hold for the chain's first device, udev-style.
    static func matches(_ rule: [Clause], _ chain: [Device]) -> Bool {
        let node = chain[0]
        for c in rule where c.op == "==" || c.op == "!=" {
            let ok: Bool
            if c.key == "SUBSYSTEM" {
                ok = node.properties["SUBSYSTEM"] == c.value
            } else if c.key == "KERNEL" {
                ok = fnmatch(c.value, node.name, 0) == 0
            } else if c.key.hasPrefix("ATTRS{") {
                let attr = String(c.key.dropFirst(6).dropLast())
                ok = chain.contains { $0.attributes[attr] == c.value }
            } else if c.key.hasPrefix("ATTR{") {
                ok = node.attributes[String(c.key.dropFirst(5).dropLast())] == c.value
            } else if c.key.hasPrefix("ENV{") {
                ok = node.properties[String(c.key.dropFirst(4).dropLast())] == c.value
            } else if c.key == "ACTION" {
                ok = c.value == "add"
            } else {
                ok = false
            }
            if ok != (c.op == "==") { return false }
        }
        return true
    }

    static func rules() throws -> [[Clause]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { try #require(parse(String($0)), "unparsable rule: \($0)") }
    }

    @Test("The committed rules are exactly what the table generates")
    func generated() throws {
        #expect(try String(contentsOfFile: Self.path, encoding: .utf8) == UdevRules.generate())
    }

    @Test("Every line parses with known keys and operators")
    func wellFormed() throws {
        let rules = try Self.rules()
        #expect(rules.count >= KnownScanner.all.count)
        for rule in rules {
            for clause in rule {
                let base = clause.key.split(separator: "{").first.map(String.init) ?? clause.key
                #expect(Self.knownKeys.contains(base), "unknown key \(clause.key)")
            }
        }
    }

    @Test("The simulator's sample scanners match: group cuntong, the tag, their mode; a stranger does not")
    func sampleDevices() throws {
        let rules = try Self.rules().filter { !$0.contains { $0.key == "GOTO" || $0.key == "LABEL" } }
        for (scanner, mode) in [(VirtualScanner(mode: .hidpos), "hidpos"), (VirtualScanner(mode: .keyboard), "keyboard")] {
            let chain = Self.devices(scanner.umockdevDevice())
            let hits = rules.filter { Self.matches($0, chain) }
            #expect(hits.count == 1, "\(scanner.vendor):\(scanner.product)")
            let assigned = hits.flatMap { $0 }
            #expect(assigned.contains(Clause(key: "GROUP", op: "=", value: "cuntong")))
            #expect(assigned.contains(Clause(key: "TAG", op: "+=", value: "cuntong")))
            #expect(assigned.contains(Clause(key: "ENV{CUNTONG_SCAN_MODE}", op: "=", value: mode)))
            // The USB device node itself, for libusb.
            #expect(rules.contains { Self.matches($0, Array(chain.dropFirst(3))) })
        }
        let stranger = Self.devices(VirtualScanner(mode: .keyboard, vendor: "1234", product: "5678").umockdevDevice())
        #expect(!rules.contains { Self.matches($0, stranger) })
    }

    @Test("A serial scanner behind a CH340 is not claimed by the shipped rules; named with --serial-bridge, it is (ttyUSB, its link, mode serial)")
    func serialBridge() throws {
        let chain = Self.devices(VirtualScanner(mode: .serial, vendor: "1a86", product: "7523").umockdevSerialDevice())
        #expect(chain.first?.name == "ttyUSB0")
        let shipped = try Self.rules().filter { !$0.contains { $0.key == "GOTO" || $0.key == "LABEL" } }
        #expect(!shipped.contains { Self.matches($0, chain) }, "a generic bridge is claimed by the shipped rules")
        let named = UdevRules.generate(serialBridges: [USBID("1a86:7523")!]).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }.compactMap { Self.parse(String($0)) }
            .filter { !$0.contains { $0.key == "GOTO" || $0.key == "LABEL" } }
        let hits = named.filter { Self.matches($0, chain) }
        #expect(hits.count == 1)
        let assigned = hits.flatMap { $0 }
        #expect(assigned.contains(Clause(key: "SYMLINK", op: "+=", value: "cuntong/scanner-%n")))
        #expect(assigned.contains(Clause(key: "ENV{CUNTONG_SCAN_MODE}", op: "=", value: "serial")))
        // A CDC-ACM scanner from the table needs nothing named.
        let fm430 = Self.devices(VirtualScanner(mode: .serial, vendor: "1eab", product: "1d06").umockdevSerialDevice(node: "ttyACM0"))
        #expect(shipped.contains { Self.matches($0, fm430) })
    }

    @Test("Every table entry names its source and a confidence; ids are unique; no bridge is in the scanner list")
    func tableSources() {
        var seen = Set<String>()
        for s in KnownScanner.all {
            #expect(!s.source.isEmpty && ["confirmed", "inferred"].contains(s.confidence), "\(s.vendor):\(s.product)")
            #expect(seen.insert(s.vendor + ":" + s.product).inserted, "duplicate \(s.vendor):\(s.product)")
            #expect(USBSerialBridge.find(vendor: s.vendor, product: s.product) == nil, "\(s.vendor):\(s.product) is a bridge")
        }
        #expect(KnownScanner.all.count >= 60 && USBSerialBridge.all.count >= 8)
    }
}
