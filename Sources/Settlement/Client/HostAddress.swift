import Foundation

/// The terminal's IP and MAC address for 9001 sign-in (`ip`, `mac`): the first interface
/// that is up and not loopback.
enum HostAddress {
    static func primary() -> (ip: String, mac: String) {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return ("127.0.0.1", "00-00-00-00-00-00") }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(addr, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count),
                              nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            let mac = (try? String(contentsOfFile: "/sys/class/net/\(name)/address", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines).uppercased().replacingOccurrences(of: ":", with: "-")
            return (String(cString: host), mac ?? "00-00-00-00-00-00")
        }
        return ("127.0.0.1", "00-00-00-00-00-00")
    }
}
