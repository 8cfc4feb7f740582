// Feeds arbitrary bytes to the keyboard-wedge decoder as 8- and 9-byte reports (the first
// byte chooses the split).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = KeyboardWedgeDecoder()
    fuzzReports(&decoder, bytes, width: (bytes.first ?? 0) % 3 == 0 ? 9 : 8)
    return 0
}
