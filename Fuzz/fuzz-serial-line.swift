// Feeds arbitrary bytes to the serial line decoder in chunks (sizes from the first byte),
// with each terminator setting; a code must never contain its terminator.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for terminator in SerialLineDecoder.Terminator.allCases {
        var decoder = SerialLineDecoder(terminator: terminator)
        let ends: Set<UInt8> = terminator == .crlf ? [13, 10] : terminator == .cr ? [13] : [10]
        fuzzReports(&decoder, bytes, width: Int((bytes.first ?? 0) % 16) + 1) { code in
            if code.contains(where: ends.contains) { fatalError("terminator inside a code") }
        }
    }
    return 0
}
