import Foundation
import Logging
import TerminalCore

/// The local settlement client: builds the platform's messages, journals each one before
/// it is sent and its answer when it comes, keeps the day's sign-in, and resolves what a
/// crash or a lost answer left in doubt. One per process; the journal is shared.
public actor SettlementClient {
    public static let servicePath = "/fsi/api/rsfComIfsService/callService"
    public static let ecQueryPath = "/localcfc/api/hsecfc/localQrCodeQuery"

    nonisolated public let settings: CoreSettings
    nonisolated public let journal: Journal
    let transport: any CoreTransport
    let log: Logger
    let now: @Sendable () -> Date
    /// Pauses between attempts of one message (same msgid) within one call.
    let retryDelays: [Duration]
    /// Visits this process is working on right now: recovery leaves them alone.
    var activeVisits: Set<Int64> = []

    public init(settings: CoreSettings, journal: Journal, transport: any CoreTransport,
                logger: Logger = Logger(label: "cuntong.settlement"),
                retryDelays: [Duration] = [.milliseconds(300), .milliseconds(1000)],
                now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.journal = journal
        self.transport = transport
        self.log = logger
        self.retryDelays = retryDelays
        self.now = now
    }

    public func shutdown() async { await transport.shutdown() }

    // MARK: Envelope

    func envelope<I: Encodable & Sendable>(infno: String, msgid: String, signNo: String, insuplc: String,
                                           input: I) -> RequestEnvelope<I> {
        RequestEnvelope(
            infno: infno, msgid: msgid, mdtrtarea_admvs: settings.adminDivision, insuplc_admdvs: insuplc,
            recer_sys_code: settings.receiverSystemCode, dev_no: settings.deviceNumber, dev_safe_info: "",
            cainfo: "", signtype: "", infver: settings.interfaceVersion, opter_type: "1",
            opter: settings.operatorCode, opter_name: settings.operatorName, inf_time: WireTime.infTime(now()),
            fixmedins_code: settings.institutionCode, fixmedins_name: settings.institutionName,
            sign_no: signNo, input: input)
    }

    /// Journals a message as `queued` (not sent yet) and returns it.
    func record<I: Encodable & Sendable>(_ infno: String, _ input: I, visitId: Int64?, insuplc: String,
                                         reverses: String? = nil) async throws(SettlementError) -> JournalMessage {
        let signNo = infno == "9001" ? "" : try await signNo()
        return try journal.recordMessage(
            infno: infno, institutionCode: settings.institutionCode, visitId: visitId, now: now(),
            reverses: reverses
        ) { msgid in
            try WireJSON.encode(envelope(infno: infno, msgid: msgid, signNo: signNo, insuplc: insuplc, input: input))
        }
    }

    // MARK: Sending

    /// Sends a journaled message under its own msgid, retrying the same msgid on a lost
    /// answer or a failed connection, re-signing in once if the core says the sign-in is
    /// stale. Records the answer. On failure the message is left `queued` (it never left)
    /// or `inDoubt` (it may have taken effect).
    func send(_ message: JournalMessage, retries: Int? = nil) async throws(SettlementError) -> (AnswerHeader, Data) {
        var request = message.request
        var resigned = false
        let attempts = (retries ?? retryDelays.count) + 1
        var attempt = 0
        while true {
            attempt += 1
            CrashPoint.hit(message.infno, "before-send")
            try journal.markSending(message.msgid, request: request, now: now())
            let posted: Result<Data, TransportFailure>
            do { posted = .success(try await transport.post(path: Self.servicePath, body: request)) } catch {
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
                        try journal.setState(message.msgid, .inDoubt)
                        throw failure
                    }
                    try? await Task.sleep(for: retryDelays[min(attempt - 1, retryDelays.count - 1)])
                    continue
                }
                if header.infcode != 0, !resigned, message.infno != "9001", Self.isStaleSignIn(header) {
                    // Rejected before it was processed: send it again, same msgid, new sign_no.
                    resigned = true
                    log.notice("core says the sign-in is stale; signing in again", metadata: ["msgid": "\(message.msgid)"])
                    try journal.setState(message.msgid, .queued)
                    let fresh = try await signIn(force: true)
                    request = try Self.restamp(request, signNo: fresh)
                    attempt -= 1
                    continue
                }
                try journal.recordAnswer(message.msgid, answer: data, infcode: header.infcode, errMsg: header.err_msg,
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
                    try journal.setState(message.msgid, transportFailure.mayHaveTakenEffect ? .inDoubt : .queued)
                    throw failure
                }
                try? await Task.sleep(for: retryDelays[min(attempt - 1, retryDelays.count - 1)])
            }
        }
    }

    static func isStaleSignIn(_ header: AnswerHeader) -> Bool {
        guard let msg = header.err_msg else { return false }
        return msg.contains("签到") || msg.contains("sign_no")
    }

    static func restamp(_ request: Data, signNo: String) throws(SettlementError) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: request)) as? [String: Any] else {
            throw .journal("a journaled request is not a JSON object")
        }
        object["sign_no"] = signNo
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { throw .journal("cannot re-encode a journaled request") }
        return data
    }

    /// Journals, sends and decodes one transaction. A refusal (`infcode` ≠ 0) throws
    /// `.refused`; a query that got no answer is marked abandoned (it changed nothing).
    func call<I: Encodable & Sendable, O: Decodable>(
        _ infno: String, _ input: I, as output: O.Type, visitId: Int64? = nil, insuplc: String = "",
        reverses: String? = nil, retries: Int? = nil
    ) async throws(SettlementError) -> (O, JournalMessage) {
        let message = try await record(infno, input, visitId: visitId, insuplc: insuplc, reverses: reverses)
        return (try await deliver(message, as: output, retries: retries), message)
    }

    func deliver<O: Decodable>(_ message: JournalMessage, as output: O.Type, retries: Int? = nil) async throws(SettlementError) -> O {
        let header: AnswerHeader, data: Data
        do {
            (header, data) = try await send(message, retries: retries)
        } catch {
            if MessageRole(infno: message.infno) == .query { try? journal.setState(message.msgid, .abandoned) }
            throw error
        }
        guard header.infcode == 0 else {
            throw .refused(infno: message.infno, infcode: header.infcode, reason: header.err_msg ?? "no reason given")
        }
        do {
            return try WireJSON.decode(AnswerOutput<O>.self, from: data).output
        } catch {
            throw .badAnswer(infno: message.infno, detail: "its output is not as the spec writes it: \(error)")
        }
    }

    // MARK: Sign-in (9001 / 9002)

    /// Today's sign_no, signing in (9001) first if there is none for today (China time).
    public func signNo() async throws(SettlementError) -> String {
        if let existing = try journal.signIn(day: WireTime.day(now())) { return existing }
        return try await signIn(force: false)
    }

    @discardableResult
    public func signIn(force: Bool) async throws(SettlementError) -> String {
        let day = WireTime.day(now())
        if !force, let existing = try journal.signIn(day: day) { return existing }
        let host = HostAddress.primary()
        let input = SignInInput(signIn: .init(opter_no: settings.operatorCode, mac: host.mac, ip: host.ip))
        let (out, _) = try await call("9001", input, as: SignInOutput.self)
        try journal.saveSignIn(day: day, signNo: out.signinoutb.sign_no, signTime: out.signinoutb.sign_time)
        log.info("signed in to the city core", metadata: ["day": "\(day)"])
        return out.signinoutb.sign_no
    }

    /// Signs in now (9001, a fresh sign_no) and returns the core's `respond_time` minus the
    /// local clock at the answer: how far this terminal's clock is off the core's.
    public func probe() async throws(SettlementError) -> (signNo: String, clockSkew: Duration?) {
        let signNo = try await signIn(force: true)
        guard let answered = try journal.messages(limit: 5).first(where: { $0.infno == "9001" }),
            let data = answered.answer, let header = try? WireJSON.decode(AnswerHeader.self, from: data),
            let respond = header.respond_time, let coreTime = WireTime.parse(respond), let at = answered.answeredAt
        else { return (signNo, nil) }
        return (signNo, .milliseconds(Int64((coreTime.timeIntervalSince1970 - at) * 1000)))
    }

    public func signOut() async throws(SettlementError) {
        let day = WireTime.day(now())
        guard let signNo = try journal.signIn(day: day) else { return }
        _ = try await call("9002", SignOutInput(signOut: .init(sign_no: signNo, opter_no: settings.operatorCode)),
                           as: SignOutOutput.self)
        try journal.forgetSignIn(day: day)
    }
}
