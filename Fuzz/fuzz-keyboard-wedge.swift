// Feeds arbitrary bytes to the keyboard-wedge decoder as 8- and 9-byte reports (the first
// byte chooses the split), checking that every code it returns respects the 2 KB bound.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = KeyboardWedgeDecoder()
    let width = (bytes.first ?? 0) % 3 == 0 ? 9 : 8
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
