import FaceTerminal

extension TerminalConfig {
    /// `[face] device` or `[face] tcp`; nil when neither is set.
    package var faceEndpoint: FaceEndpoint? {
        FaceEndpoint.parse(device: face?.device, tcp: face?.tcp)
    }

    /// The same, refusing a [face] section that names no usable terminal.
    package func checkedFaceEndpoint() throws(TerminalConfig.Problem) -> FaceEndpoint? {
        guard let face, face.device != nil || face.tcp != nil else { return nil }
        guard let endpoint = faceEndpoint else {
            throw .invalid(TerminalConfig.defaultPath, "[face] needs exactly one of device = \"/dev/…\" or tcp = \"HOST:PORT\"")
        }
        return endpoint
    }
}
