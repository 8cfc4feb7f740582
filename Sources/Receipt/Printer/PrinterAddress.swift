import Foundation

/// Where a receipt printer is: a device file (usblp `/dev/usb/lp0`, a tty `/dev/ttyUSB0`,
/// a udev link) or a network printer's raw port (`tcp:HOST:PORT`, port 9100 by default).
package enum PrinterAddress: Sendable, Equatable, CustomStringConvertible {
    case device(String)
    case tcp(host: String, port: UInt16)

    package init(parsing text: String) throws(ReceiptError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("/") {
            self = .device(t)
            return
        }
        guard t.hasPrefix("tcp:") else { throw .badDevice(text) }
        var rest = Substring(t.dropFirst(4))
        var host: Substring
        if rest.hasPrefix("[") {
            // tcp:[::1]:9100
            guard let close = rest.firstIndex(of: "]") else { throw .badDevice(text) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            rest = rest[colon...]
        } else {
            host = rest
            rest = ""
        }
        var port: UInt16 = 9100
        if !rest.isEmpty {
            guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()), p > 0 else { throw .badDevice(text) }
            port = p
        }
        guard !host.isEmpty else { throw .badDevice(text) }
        self = .tcp(host: String(host), port: port)
    }

    package var description: String {
        switch self {
        case .device(let path): path
        case .tcp(let host, let port): host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }
}
