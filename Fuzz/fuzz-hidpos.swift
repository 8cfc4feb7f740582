// Feeds arbitrary bytes to the HID-POS decoder as 64-byte reports (and, from the first
// byte, sometimes 63-byte ones).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = HIDPOSDecoder()
    fuzzReports(&decoder, bytes, width: (bytes.first ?? 0) % 5 == 0 ? 63 : 64)
    return 0
}
