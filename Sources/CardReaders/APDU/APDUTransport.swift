/// Something that carries one command APDU to a card and brings back its answer: a PC/SC
/// card connection, or a scripted transport in unit tests. Errors thrown are `CardReadError`.
package protocol APDUTransport: Sendable {
    func transmit(_ command: [UInt8]) async throws(CardReadError) -> [UInt8]
}

extension APDUTransport {
    /// Sends a command and follows the T=0 conventions a card may use on a case 2 or 4
    /// command: `61xx` (xx more bytes: fetch them with GET RESPONSE) and `6Cxx` (wrong Le:
    /// send again with Le = xx). Both are bounded so a confused card cannot loop forever.
    package func send(_ command: CommandAPDU) async throws(CardReadError) -> ResponseAPDU {
        var response = try await exchange(command)
        if response.sw1 == 0x6C {
            var again = command
            again.le = response.sw2 == 0 ? 256 : Int(response.sw2)
            response = try await exchange(again)
        }
        var collected = response.data
        var rounds = 0
        while response.sw1 == 0x61 {
            rounds += 1
            guard rounds <= 16 else { break }
            response = try await exchange(.getResponse(Int(response.sw2)))
            collected += response.data
        }
        return ResponseAPDU(data: collected, sw1: response.sw1, sw2: response.sw2)
    }

    private func exchange(_ command: CommandAPDU) async throws(CardReadError) -> ResponseAPDU {
        let raw = try await transmit(command.bytes)
        guard let response = ResponseAPDU(bytes: raw) else {
            throw .malformedResponse(command: command.description, length: raw.count)
        }
        return response
    }
}
