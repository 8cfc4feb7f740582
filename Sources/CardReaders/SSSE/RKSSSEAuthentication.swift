/// RKSSSE authentication on the user card, in the order of the reader-interface procedure
/// and its public APDU trace (docs/social-security-card.md): two challenges and INTERNAL
/// AUTHENTICATE (the card proves itself), on a 3.0 card two more challenges for external
/// authentication, the key holder's answer, the comparison, then EXTERNAL AUTHENTICATE with
/// the RKSSSE key (the terminal proves itself).
struct RKSSSEAuthentication<Transport: APDUTransport> {
    let transport: Transport
    let keys: SSSEProfile.Authentication
    let holder: any RKSSSEKeyHolder

    func run(atr: [UInt8], fci: [UInt8], cardIdentifier: [UInt8], specVersion: String) async throws(CardReadError) {
        let internalSource = try await challenge()
        let internalFactor = try await challenge()
        let internalCommand = CommandAPDU.internalAuthenticate(key: keys.internalKeyBytes, challenge: internalFactor + internalSource)
        let internalResponse = try await transport.send(internalCommand)
        guard internalResponse.isSuccess, internalResponse.data.count >= 8 else {
            throw .unexpectedStatus(command: "INTERNAL AUTHENTICATE", sw: internalResponse.sw)
        }
        // Only a 3.0 card has an RKSSSE key to authenticate the terminal with.
        var external: (source: [UInt8], factor: [UInt8])?
        if specVersion.hasPrefix("3") {
            let source = try await challenge()
            external = (source, try await challenge())
        }
        let challenge = RKSSSEChallenge(
            regionCode: Hex.string(cardIdentifier.prefix(3)), atr: atr, algorithm: keys.algorithm(fci: fci),
            cardIdentifier: cardIdentifier, internalFactor: internalFactor, internalSource: internalSource,
            externalFactor: external?.factor, externalSource: external?.source)
        let answer = try await holder.answer(challenge)
        guard Array(internalResponse.data.prefix(8)) == Array(answer.internalResult.prefix(8)), answer.internalResult.count >= 8 else {
            throw .internalAuthenticationMismatch
        }
        guard let external else { return }
        guard let cryptogram = answer.externalCryptogram, cryptogram.count == 8 else {
            throw .keyServiceRefused(detail: "\(holder.provider) gave no external-authentication cryptogram")
        }
        let response = try await transport.send(.externalAuthenticate(key: keys.externalKeyBytes, cryptogram: cryptogram + external.source))
        switch response.sw.value {
        case 0x9000: return
        // Wrong cryptogram (63Cx: tries left), key not found (6A88), conditions or random invalid.
        case 0x6300, 0x63C0...0x63CF, 0x6A88, 0x6982, 0x6983, 0x6984, 0x6985, 0x6988:
            throw .externalAuthenticationRefused(response.sw)
        default:
            throw .unexpectedStatus(command: "EXTERNAL AUTHENTICATE", sw: response.sw)
        }
    }

    private func challenge() async throws(CardReadError) -> [UInt8] {
        let response = try await transport.send(.getChallenge(8))
        guard response.isSuccess, response.data.count == 8 else {
            throw .unexpectedStatus(command: "GET CHALLENGE", sw: response.sw)
        }
        return response.data
    }
}
