// Shared by the fuzz targets: cut the input into reports and check what the decoder makes
// of them against the bounds every decoder promises.
func fuzzReports(_ decoder: inout some ScanDecoder, _ bytes: [UInt8], width: Int,
                 check: ([UInt8]) -> Void = { _ in }) {
    var i = 1
    while i < bytes.count {
        for result in decoder.feed(Array(bytes[i..<min(i + width, bytes.count)])) {
            guard case .code(let code) = result else { continue }
            if code.isEmpty || code.count > ScanLimits.maximumLength { fatalError("bad code length") }
            check(code)
        }
        i += width
    }
    if decoder.pending > ScanLimits.maximumLength { fatalError("pending past the bound") }
}
