/// RKSSSE keys in a PSAM in the reader's SAM slot (a second PC/SC reader), driven with the
/// social-security PSAM's commands (社会保障(个人)卡规范 part 9, PSAM卡应用技术要求):
/// SELECT the key environment for the card's algorithm, DELIVERY SESSION KEY
/// (`BF DE <usage> <key id> Lc <diversification factors ‖ session factor>`), CIPHER DATA
/// (`80 FA 00 00 Lc <data>`), GET RESPONSE. What the public material leaves open (the SM4
/// environment's AID, each key's usage byte, i.e. its diversification levels) is settings.
/// Sources and the full sequence: docs/social-security-card.md.
package struct PSAMKeyHolder: RKSSSEKeyHolder {
    package struct Key: Sendable, Hashable {
        /// P1 of DELIVERY SESSION KEY: b8–b6 the diversification levels, b5–b1 the key type.
        package var usage: UInt8
        /// P2: the key's identifier in the PSAM.
        package var id: UInt8
        package var levels: Int { Int(usage >> 5) }

        package init(usage: UInt8, id: UInt8) {
            self.usage = usage
            self.id = id
        }

        /// "6708" → usage 67, id 08.
        package init?(hex: String) {
            guard let bytes = Hex.bytes(hex), bytes.count == 2 else { return nil }
            self.init(usage: bytes[0], id: bytes[1])
        }
    }

    package struct Settings: Sendable, Hashable {
        /// The PC/SC reader (SAM slot) holding the PSAM.
        package var reader: String
        /// Per algorithm identifier (`01` DES, `02` SSF33, `03` SM4): the DF names (AIDs) or
        /// 2-byte file ids to select in order to reach that algorithm's key environment.
        package var environments: [String: [String]]
        /// The user card's internal-authentication key (IRK) and RKSSSE, as the PSAM names them.
        package var internalKey: Key
        package var externalKey: Key
        package var apduTimeout: Duration

        /// The environments part 9 §5 names: DES in DDF `sx1.sh.社会保障` → ADF D15600000590,
        /// SSF33 in DDF `sx2.sh.社会保障` → ADF D15600000590. No public source names the SM4
        /// one: configure it (`[card] psam_environments`).
        package static let publishedEnvironments: [String: [String]] = [
            "01": ["7378312E73682EC9E7BBE1B1A3D5CF", "D15600000590"],
            "02": ["7378322E73682EC9E7BBE1B1A3D5CF", "D15600000590"],
        ]

        /// IRK: PSAM usage 67, id 08 (part 9 appendix B); RKSSSE: usage 67, id 0A (a public
        /// Decard reader log of a 3.0 card; a Jiangsu driver uses usage 47: configure it).
        package init(reader: String, environments: [String: [String]] = publishedEnvironments,
                    internalKey: Key = Key(usage: 0x67, id: 0x08), externalKey: Key = Key(usage: 0x67, id: 0x0A),
                    apduTimeout: Duration = .seconds(5)) {
            self.reader = reader
            self.environments = environments
            self.internalKey = internalKey
            self.externalKey = externalKey
            self.apduTimeout = apduTimeout
        }
    }

    package let settings: Settings
    package var provider: String { "psam" }

    package init(settings: Settings) {
        self.settings = settings
    }

    package func answer(_ challenge: RKSSSEChallenge) async throws(CardReadError) -> RKSSSEAnswer {
        try await withPSAM { psam throws(CardReadError) in try await answer(challenge, on: psam) }
    }

    /// For `cuntong doctor`: the PSAM answers, and which configured environments it has.
    package func check() async throws(CardReadError) -> [String: Bool] {
        try await withPSAM { psam throws(CardReadError) in
            var found: [String: Bool] = [:]
            for (algorithm, path) in settings.environments.sorted(by: { $0.key < $1.key }) {
                found[algorithm] = try await selectEnvironment(path, on: psam) == nil
            }
            return found
        }
    }

    /// The exchange with the PSAM, on any transport (a scripted one in unit tests).
    package func answer(_ challenge: RKSSSEChallenge, on psam: some APDUTransport) async throws(CardReadError) -> RKSSSEAnswer {
        guard let environment = settings.environments[challenge.algorithm], !environment.isEmpty else {
            throw .psamRefused(command: "no PSAM environment configured for algorithm \(challenge.algorithm) ([card] psam_environments)",
                               sw: .fileNotFound)
        }
        if let (name, sw) = try await selectEnvironment(environment, on: psam) {
            throw .psamRefused(command: "SELECT \(name)", sw: sw)
        }
        let block = challenge.algorithm == "01" ? 8 : 16
        let factors = Self.diversificationFactors(challenge)
        let internalResult = try await compute(key: settings.internalKey, factors: factors, session: challenge.internalFactor,
                                               data: challenge.internalSource, block: block, on: psam)
        var external: [UInt8]?
        if let factor = challenge.externalFactor, let source = challenge.externalSource {
            external = try await compute(key: settings.externalKey, factors: factors, session: factor,
                                         data: source, block: block, on: psam)
        }
        return RKSSSEAnswer(internalResult: internalResult, externalCryptogram: external)
    }

    /// A connection to the PSAM held in a transaction for `body`, always closed. The PSAM
    /// missing or going away is `psamUnavailable`, never the patient's card going away.
    private func withPSAM<T: Sendable>(_ body: (CardConnection) async throws(CardReadError) -> T) async throws(CardReadError) -> T {
        let context = try await PCSCContext.establish()
        let connection: CardConnection
        do {
            connection = try await context.connect(reader: settings.reader, apduTimeout: settings.apduTimeout)
        } catch {
            await context.release()
            throw error == .serviceUnavailable ? error : .psamUnavailable(reader: settings.reader)
        }
        let outcome: Result<T, CardReadError>
        do {
            try await connection.beginTransaction()
            outcome = .success(try await body(connection))
        } catch {
            outcome = .failure(error.endsTheRead && error != .serviceUnavailable ? .psamUnavailable(reader: settings.reader) : error)
        }
        await connection.close()
        await context.release()
        return try outcome.get()
    }

    /// Selects each DF name (or 2-byte file id) in turn; the first refused one and its status
    /// word, or nil when the whole path selected.
    private func selectEnvironment(_ path: [String], on psam: some APDUTransport) async throws(CardReadError) -> (String, StatusWord)? {
        for name in path {
            guard let id = Hex.bytes(name), !id.isEmpty else { return (name, .fileNotFound) }
            let command = id.count == 2 ? CommandAPDU.selectFile(id, p1: 0x00) : CommandAPDU.selectByName(id)
            let response = try await psam.send(command)
            guard response.isSuccess else { return (name, response.sw) }
        }
        return nil
    }

    /// Session key from the diversified key and the session factor, then the data enciphered
    /// under it. With a 16-byte block (SM4, SSF33) the inputs are padded with 8 × 00 and the
    /// 16-byte result folded (left ⊕ right) to the 8-byte authentication value (part 4 §9.3.2).
    private func compute(key: Key, factors: [[UInt8]], session: [UInt8], data: [UInt8], block: Int,
                         on psam: some APDUTransport) async throws(CardReadError) -> [UInt8] {
        let pad = [UInt8](repeating: 0, count: block - 8)
        // A PSAM whose key has a different number of levels answers 6A80; part 9 §8 says to
        // try the other two.
        var levelOrder = [key.levels] + [3, 2, 1].filter { $0 != key.levels }
        levelOrder = levelOrder.filter { $0 <= factors.count && $0 >= 1 }
        var delivered = false
        for levels in levelOrder {
            let usage = UInt8(levels << 5) | (key.usage & 0x1F)
            let body = factors.prefix(levels).flatMap { $0 } + session + pad
            let response = try await psam.send(CommandAPDU(cla: 0xBF, ins: 0xDE, p1: usage, p2: key.id, data: body))
            if response.isSuccess { delivered = true; break }
            guard response.sw.value == 0x6A80 else {
                throw .psamRefused(command: "DELIVERY SESSION KEY \(Hex.string([usage, key.id]))", sw: response.sw)
            }
        }
        guard delivered else {
            throw .psamRefused(command: "DELIVERY SESSION KEY \(Hex.string([key.usage, key.id]))", sw: StatusWord(0x6A80))
        }
        let response = try await psam.send(CommandAPDU(cla: 0x80, ins: 0xFA, p1: 0x00, p2: 0x00, data: data + pad, le: block))
        guard response.isSuccess, response.data.count >= 8 else {
            throw .psamRefused(command: "CIPHER DATA", sw: response.sw)
        }
        let out = response.data
        guard block == 16, out.count >= 16 else { return Array(out.prefix(8)) }
        return (0..<8).map { out[$0] ^ out[$0 + 8] }
    }

    /// The three diversification factors, card first (part 9 §7.3; Sichuan spec §10.3):
    /// card: bytes 6–13 of the ATR's historical bytes (the last 8 ATR bytes when it has fewer);
    /// city: the region code in ASCII + "sx" (a region starting "33": "3301" + "00sx");
    /// province: the first two region digits in ASCII + "0000sh".
    package static func diversificationFactors(_ challenge: RKSSSEChallenge) -> [[UInt8]] {
        let historical = challenge.historicalBytes
        let card = historical.count >= 13 ? Array(historical[5..<13]) : Array(challenge.atr.suffix(8))
        let region = Array(challenge.regionCode.utf8.prefix(6))
        let city: [UInt8] = challenge.regionCode.hasPrefix("33")
            ? Array("3301".utf8) + [0x30, 0x30, 0x73, 0x78]
            : region + [0x73, 0x78]
        let province = Array(region.prefix(2)) + [0x30, 0x30, 0x30, 0x30, 0x73, 0x68]
        return [card, city, province]
    }
}
