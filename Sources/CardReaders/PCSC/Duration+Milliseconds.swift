extension Duration {
    /// Whole milliseconds, for C APIs that take a timeout in ms.
    var wholeMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
