// Feeds arbitrary bytes to the serial line decoder in chunks (sizes from the first byte),
// with each terminator setting, checking codes never contain a terminator or pass 2 KB.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = Int((bytes.first ?? 0) % 16) + 1
    for terminator in SerialLineDecoder.Terminator.allCases {
        var decoder = SerialLineDecoder(terminator: terminator)
        var i = 1
        while i < bytes.count {
            for result in decoder.feed(Array(bytes[i..<min(i + chunk, bytes.count)])) {
                guard case .code(let code) = result else { continue }
                if code.isEmpty || code.count > ScanLimits.maximumLength { fatalError("bad code length") }
                let ends: Set<UInt8> = terminator == .crlf ? [13, 10] : terminator == .cr ? [13] : [10]
                if code.contains(where: ends.contains) { fatalError("terminator inside a code") }
            }
            i += chunk
        }
    }
    return 0
}
