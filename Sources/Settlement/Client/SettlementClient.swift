import Foundation
import Logging
import TerminalCore

/// The local settlement client: builds the platform's messages, journals each one before
/// it is sent and its answer when it comes, keeps the day's sign-in, and resolves what a
/// crash or a lost answer left in doubt. One per process; the journal is shared.
package actor SettlementClient {
    nonisolated package let settings: CoreSettings
    nonisolated package let journal: Journal
    let transport: any CoreTransport
    let log: Logger
    let now: @Sendable () -> Date
    /// Pauses between attempts of one message (same msgid) within one call.
    let retryDelays: [Duration]
    let signer: GatewaySigner
    /// Visits this process is working on right now: recovery leaves them alone.
    var activeVisits: Set<Int64> = []

    package init(settings: CoreSettings, journal: Journal, transport: any CoreTransport,
                logger: Logger = Logger(label: "cuntong.settlement"),
                retryDelays: [Duration] = [.milliseconds(300), .milliseconds(1000)],
                now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.journal = journal
        self.transport = transport
        self.log = logger
        self.retryDelays = retryDelays
        self.now = now
        self.signer = GatewaySigner(profile: settings.profile, credentials: settings.credentials)
    }

    package func shutdown() async { await transport.shutdown() }

    // MARK: Envelope

    nonisolated func envelope<I: Encodable & Sendable>(_ transaction: Transaction, msgid: String, signNo: String, insuplc: String,
                                           insutype: String?, input: I) -> RequestEnvelope<I> {
        let profile = settings.profile
        return RequestEnvelope(
            infno: profile.wireInfno(transaction), msgid: msgid, mdtrtarea_admvs: settings.adminDivision,
            insuplc_admdvs: insuplc, recer_sys_code: profile.receiverSystemCode(transaction, insutype: insutype),
            dev_no: settings.deviceNumber, dev_safe_info: "", cainfo: "", signtype: "", infver: profile.infver,
            opter_type: "1", opter: settings.operatorCode, opter_name: settings.operatorName,
            inf_time: WireTime.infTime(now()), fixmedins_code: settings.institutionCode,
            fixmedins_name: settings.institutionName, sign_no: signNo, input: input)
    }

    /// Journals a message as `queued` (not sent yet) and returns it. `insuplc` is the
    /// patient's insurance division, required by the spec whenever the input carries
    /// `psn_no`; `insutype` picks `recer_sys_code` for the settling transactions.
    func record<I: Encodable & Sendable>(_ transaction: Transaction, _ input: I, visitId: Int64?, insuplc: String,
                                         insutype: String? = nil, reverses: String? = nil) async throws(SettlementError) -> JournalMessage {
        let signNo = transaction == .signIn ? "" : try await signNo()
        return try await journal.recordMessage(
            infno: transaction.infno, institutionCode: settings.institutionCode, slot: settings.msgidSlot,
            visitId: visitId, now: now(), reverses: reverses
        ) { [self] msgid in
            try WireJSON.encode(envelope(transaction, msgid: msgid, signNo: signNo, insuplc: insuplc, insutype: insutype,
                                         input: input))
        }
    }

    // MARK: Sending

    /// Sends a journaled message under its own msgid, retrying the same msgid on a lost
    /// answer or a failed connection, re-signing in once if the core says the sign-in is
    /// stale. Records the answer. On failure the message is left `queued` (it never left)
    /// or `inDoubt` (it may have taken effect).
    /// `keepOutput` false journals the answer's header but not its output (a catalogue page:
    /// no patient's data, and too large to keep for every sync).
    func send(_ message: JournalMessage, retries: Int? = nil, keepOutput: Bool = true) async throws(SettlementError) -> (AnswerHeader, Data) {
        var request = message.request
        var resigned = false
        let attempts = (retries ?? retryDelays.count) + 1
        var attempt = 0
        while true {
            attempt += 1
            CrashPoint.hit(message.infno, "before-send")
            try await journal.markSending(message.msgid, request: request, now: now())
            let posted: Result<Data, TransportFailure>
            let transaction = Transaction(rawValue: message.infno)
            let path = transaction.map(settings.profile.path) ?? settings.profile.servicePath
            do {
                posted = .success(try await transport.post(
                    path: path, body: request, headers: signer.headers(path: path, body: request, now: now())))
            } catch {
                posted = .failure(error)
            }
            let failure: SettlementError
            switch posted {
            case .success(let data):
                CrashPoint.hit(message.infno, "after-send")
                guard let header = try? WireJSON.decode(AnswerHeader.self, from: data) else {
                    // An unreadable answer: the core may have acted on the message.
                    failure = .badAnswer(infno: message.infno, detail: "not the platform's answer envelope")
                    if attempt >= attempts {
                        try await journal.setState(message.msgid, .inDoubt)
                        throw failure
                    }
                    try? await Task.sleep(for: retryDelays[min(attempt - 1, retryDelays.count - 1)])
                    continue
                }
                if header.infcode != 0, !resigned, message.infno != "9001", Self.isStaleSignIn(header) {
                    // Rejected before it was processed: send it again, same msgid, new sign_no.
                    resigned = true
                    log.notice("core says the sign-in is stale; signing in again", metadata: ["msgid": "\(message.msgid)"])
                    try await journal.setState(message.msgid, .queued)
                    let fresh = try await signIn(force: true)
                    request = try Self.restamp(request, signNo: fresh)
                    attempt -= 1
                    continue
                }
                try await journal.recordAnswer(message.msgid, answer: keepOutput ? data : Self.withoutOutput(data),
                                         infcode: header.infcode, errMsg: header.err_msg,
                                         state: header.infcode == 0 ? .answered : .refused, now: now())
                CrashPoint.hit(message.infno, "after-answer")
                return (header, data)
            case .failure(let transportFailure):
                switch transportFailure {
                case .notSent(let why): failure = .coreUnreachable(why)
                case .noAnswer: failure = .coreTimeout(infno: message.infno, milliseconds: settings.timeoutMilliseconds)
                case .tls(let why): failure = .tls(why)
                }
                log.warning("no answer from the core", metadata: [
                    "infno": "\(message.infno)", "msgid": "\(message.msgid)", "attempt": "\(attempt)",
                    "why": "\(transportFailure)"])
                if attempt >= attempts || failure.code == "CORE-TLS" {
                    try await journal.setState(message.msgid, transportFailure.mayHaveTakenEffect ? .inDoubt : .queued)
                    throw failure
                }
                try? await Task.sleep(for: retryDelays[min(attempt - 1, retryDelays.count - 1)])
            }
        }
    }

    /// The answer with its `output` replaced by a note of its size: what the journal keeps of
    /// a catalogue page.
    static func withoutOutput(_ data: Data) -> Data {
        guard var top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return data }
        top["output"] = "(\(data.count) bytes, not kept: catalogue data)"
        return (try? JSONSerialization.data(withJSONObject: top, options: [.sortedKeys])) ?? data
    }

    static func isStaleSignIn(_ header: AnswerHeader) -> Bool {
        guard let msg = header.err_msg else { return false }
        return msg.contains("签到") || msg.contains("sign_no")
    }

    /// The journaled request with a new `sign_no`, every other byte as it was (numbers keep
    /// their exact text). The envelope's keys are sorted: the top level's `sign_no` comes
    /// after `input` (whose 9002 body has a `sign_no` of its own) and is the last one.
    static func restamp(_ request: Data, signNo: String) throws(SettlementError) -> Data {
        guard let header = try? JSONSerialization.jsonObject(with: request) as? [String: Any],
              let old = header["sign_no"] as? String,
              let oldField = try? WireJSON.encode(["sign_no": old]), let newField = try? WireJSON.encode(["sign_no": signNo])
        else { throw .journal("a journaled request is not the platform's envelope") }
        // `{"sign_no":"…"}` without its braces is the field as it stands in the request.
        let from = oldField.dropFirst().dropLast(), to = newField.dropFirst().dropLast()
        guard let range = request.range(of: Data(from), options: .backwards) else { throw .journal("a journaled request has no sign_no field") }
        var out = request
        out.replaceSubrange(range, with: to)
        return out
    }

    /// Journals, sends and decodes one transaction. A refusal (`infcode` ≠ 0) throws
    /// `.refused`; a query that got no answer is marked abandoned (it changed nothing).
    func call<I: Encodable & Sendable, O: Decodable>(
        _ transaction: Transaction, _ input: I, as output: O.Type, visitId: Int64? = nil, insuplc: String = "",
        insutype: String? = nil, reverses: String? = nil, retries: Int? = nil, keepOutput: Bool = true
    ) async throws(SettlementError) -> (O, JournalMessage) {
        let message = try await record(transaction, input, visitId: visitId, insuplc: insuplc, insutype: insutype,
                                       reverses: reverses)
        return (try await deliver(message, as: output, retries: retries, keepOutput: keepOutput), message)
    }

    func deliver<O: Decodable>(_ message: JournalMessage, as output: O.Type, retries: Int? = nil,
                               keepOutput: Bool = true) async throws(SettlementError) -> O {
        let header: AnswerHeader, data: Data
        do {
            (header, data) = try await send(message, retries: retries, keepOutput: keepOutput)
        } catch {
            if MessageRole(infno: message.infno) == .query { try? await journal.setState(message.msgid, .abandoned) }
            throw error
        }
        guard header.infcode == 0 else {
            throw .refused(infno: message.infno, infcode: header.infcode, reason: header.err_msg ?? "no reason given")
        }
        do {
            return try WireJSON.decode(AnswerOutput<O>.self, from: data).output
        } catch {
            // The core did what was asked (infcode 0): this is not in doubt, only unread.
            throw .unreadableOutput(infno: message.infno, detail: Self.describe(error))
        }
    }

    // MARK: Sign-in (9001 / 9002)

    /// Today's sign_no, signing in (9001) first if there is none for today (China time).
    package func signNo() async throws(SettlementError) -> String {
        if let existing = try await journal.signIn(day: WireTime.day(now())) { return existing }
        return try await signIn(force: false)
    }

    @discardableResult
    package func signIn(force: Bool) async throws(SettlementError) -> String {
        let day = WireTime.day(now())
        if !force, let existing = try await journal.signIn(day: day) { return existing }
        let host = HostAddress.primary()
        let input = SignInInput(signIn: .init(opter_no: settings.operatorCode, mac: host.mac, ip: host.ip))
        let (out, _) = try await call(.signIn, input, as: SignInOutput.self)
        try await journal.saveSignIn(day: day, signNo: out.sign_no, signTime: out.sign_time ?? WireTime.infTime(now()))
        log.info("signed in to the city core", metadata: ["day": "\(day)"])
        return out.sign_no
    }

    /// Signs in now (9001, a fresh sign_no) and returns the core's `respond_time` minus the
    /// local clock at the answer: how far this terminal's clock is off the core's.
    package func probe() async throws(SettlementError) -> (signNo: String, clockSkew: Duration?) {
        let signNo = try await signIn(force: true)
        guard let answered = try await journal.messages(limit: 5).first(where: { $0.infno == "9001" }),
            let data = answered.answer, let header = try? WireJSON.decode(AnswerHeader.self, from: data),
            let respond = header.respond_time, let coreTime = WireTime.parse(respond), let at = answered.answeredAt
        else { return (signNo, nil) }
        return (signNo, .milliseconds(Int64((coreTime.timeIntervalSince1970 - at) * 1000)))
    }

    /// Whether the core answers at all: one POST of an empty object to the service path,
    /// journaled nowhere (a refusal is an answer). The light probe of a link that is down.
    package func coreAnswers() async -> Bool {
        let path = settings.profile.path(.signIn), body = Data("{}".utf8)
        do {
            _ = try await transport.post(path: path, body: body, headers: signer.headers(path: path, body: body, now: now()))
            return true
        } catch {
            // An HTTP error status is an answer too: the core is there.
            if case .noAnswer(let why) = error, why.hasPrefix("HTTP") { return true }
            return false
        }
    }

    package func signOut() async throws(SettlementError) {
        let day = WireTime.day(now())
        guard let signNo = try await journal.signIn(day: day) else { return }
        _ = try await call(.signOut, SignOutInput(signOut: .init(sign_no: signNo, opter_no: settings.operatorCode)),
                           as: Ignored.self)
        try await journal.forgetSignIn(day: day)
    }

    /// A decoding error in words: which field, and what was wrong with it (no values: an
    /// answer may carry personal data).
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(type(of: error))" }
        func path(_ c: [any CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: ["."])
        }
        switch e {
        case .keyNotFound(let key, let c): return "\(path(c.codingPath + [key])) is missing"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)) is null"
        case .typeMismatch(let type, let c): return "\(path(c.codingPath)) is not \(type)"
        case .dataCorrupted(let c): return "\(path(c.codingPath)) is malformed"
        @unknown default: return "it does not decode"
        }
    }
}
