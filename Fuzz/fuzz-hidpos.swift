// Feeds arbitrary bytes to the HID-POS decoder as 64-byte reports (and, from the first
// byte, sometimes shorter ones), checking codes and pending data stay within bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = HIDPOSDecoder()
    let width = (bytes.first ?? 0) % 5 == 0 ? 63 : 64
    var i = 1
    while i < bytes.count {
        let report = Array(bytes[i..<min(i + width, bytes.count)])
        for result in decoder.feed(report) {
            if case .code(let code) = result, code.isEmpty || code.count > ScanLimits.maximumLength { fatalError("bad code length") }
        }
        i += width
    }
    if decoder.pending > ScanLimits.maximumLength { fatalError("pending past the bound") }
    return 0
}
