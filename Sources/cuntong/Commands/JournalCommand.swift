import ArgumentParser
import Config
import Foundation
import Presentation
import Settlement
import TerminalCore

struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect the settlement journal and resolve what is in doubt.",
        subcommands: [List.self, Show.self, Recover.self, Export.self, Purge.self, RotateKey.self])
}

extension JournalCommand {
    static func open(_ config: ConfigOption) throws -> Journal {
        let terminal = try TerminalConfig.load(path: config.path)
        let settings = try terminal.coreSettings()
        return try Journal(directory: settings.stateDirectory, keyFile: terminal.storage?.key_file)
    }

    static func time(_ t: Double?) -> String {
        guard let t else { return "-" }
        return WireTime.infTime(Date(timeIntervalSince1970: t))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List visits and their messages, newest first.",
            discussion: "JSON keys per visit: id, state, iptOtpNo, mdtrtId, setlId, total, day, messages [{msgid, infno, state, attempts, infcode, errMsg}].")
        @OptionGroup var config: ConfigOption
        @Option(help: "How many visits.") var limit = 20
        @Flag(help: "Print JSON.") var json = false

        struct VisitLine: Encodable {
            struct Message: Encodable {
                var msgid, infno, state: String
                var attempts: Int
                var infcode: Int?
                var errMsg: String?
            }
            var id: Int64
            var state, iptOtpNo: String
            var mdtrtId, setlId, total, day, note: String?
            var messages: [Message]
        }

        func run() async throws {
            do {
                let journal = try JournalCommand.open(config)
                var lines: [VisitLine] = []
                for v in try await journal.visits(limit: limit) {
                    let messages = try await journal.messages(limit: 100, visitId: v.id!).reversed().map {
                        VisitLine.Message(msgid: $0.msgid, infno: $0.infno, state: $0.state.rawValue, attempts: $0.attempts,
                                          infcode: $0.infcode, errMsg: $0.errMsg)
                    }
                    lines.append(VisitLine(id: v.id!, state: v.state.rawValue, iptOtpNo: v.iptOtpNo, mdtrtId: v.mdtrtId,
                                           setlId: v.setlId, total: v.medfeeSumamt.map { Money(fen: $0).yuan }, day: v.setlDay,
                                           note: v.note, messages: messages))
                }
                if json { Output.line(Output.json(lines)); return }
                if lines.isEmpty { Output.line("The journal has no visits yet."); return }
                for v in lines {
                    Output.line("visit \(v.id)  \(v.state)  \(v.total.map { "¥" + $0 } ?? "")  \(v.setlId ?? "")  \(v.note ?? "")")
                    for m in v.messages {
                        Output.line("  \(m.msgid)  \(m.infno)  \(m.state)  attempts \(m.attempts)\(m.errMsg.map { "  " + $0 } ?? "")")
                    }
                }
                let doubt = try await journal.inDoubtCount()
                if doubt > 0 { Output.line("\(doubt) message(s) in doubt: run `cuntong journal recover`.") }
                let review = try await journal.visitsNeedingReview()
                if !review.isEmpty {
                    Output.line("\(review.count) settlement(s) confirmed by the core with an unreadable answer (settled-needs-review, never reversed): visit \(review.map { String($0.id!) }.joined(separator: ", ")); show the 2207 answer with `cuntong journal show MSGID` and have the insurance office confirm the amounts.")
                }
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one journaled message, request and answer (personal data masked unless --reveal).")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The msgid.") var msgid: String
        @Flag(help: "Show personal data unmasked.") var reveal = false

        func run() async throws {
            do {
                let journal = try JournalCommand.open(config)
                guard let m = try await journal.message(msgid) else {
                    throw ValidationError("no message \(msgid) in the journal (see `cuntong journal list`)")
                }
                Output.line("msgid \(m.msgid)  infno \(m.infno)  state \(m.state.rawValue)  attempts \(m.attempts)")
                Output.line("created \(JournalCommand.time(m.createdAt))  sent \(JournalCommand.time(m.sentAt))  answered \(JournalCommand.time(m.answeredAt))")
                if let r = m.reversesMsgid { Output.line("reverses \(r)") }
                Output.line("request:\n" + MessageMasking.masked(m.request, reveal: reveal))
                Output.line("answer:\n" + (m.answer.map { MessageMasking.masked($0, reveal: reveal) } ?? "(none)"))
            } catch let e as ValidationError {
                throw e
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve everything in doubt now: reverse lost settlements (2601), resend uploads, cancel abandoned visits.",
            discussion: """
                Safe to run at any time and as often as wanted; the daemon runs the same at start and
                periodically. Exit status 0 when nothing is left in doubt or queued, 1 otherwise
                (the core could not be reached: run it again when the link is back).
                JSON keys: resent, reversed, settled, cancelled, abandoned, stillInDoubt, stillQueued, linkDown,
                escalated (unresolved for more than a day: a person must look).
                """)
        @OptionGroup var config: ConfigOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let report: RecoveryReport
            do {
                report = try await withSettlementClient(config.path) { try await $0.recover() }
            } catch {
                throw Output.fail(any: error)
            }
            if json {
                Output.line(Output.json(report))
            } else {
                Output.line("""
                    reversed (冲正) \(report.reversed), settled \(report.settled), cancelled \(report.cancelled), \
                    resent \(report.resent), abandoned \(report.abandoned); \
                    still in doubt \(report.stillInDoubt), still queued \(report.stillQueued)
                    """)
            }
            if report.escalated > 0 {
                Output.error("\(report.escalated) message(s) have been unresolved for more than a day: call the insurance office and give them `cuntong journal export`")
            }
            if !report.isClean {
                Output.error("some messages could not be resolved yet (the city core may be unreachable); run `cuntong journal recover` again when the link is back")
                throw ExitCode(1)
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase the personal data of reconciled days, keeping their money records.",
            discussion: """
                For every day before the cutoff whose 3201 reconciliation agreed on every line (平),
                the day's key is erased and each name, ID number, card number and token sealed
                under it becomes "~redacted": amounts, codes, settlement and visit ids stay for
                audits and 3201. A day that did not reconcile, or has a message still in flight,
                is kept and listed with the reason. The daemon does the same every day.
                Default cutoff: today minus [storage] redact_after_days (30).
                JSON keys: cutoff, redacted (days), kept ({day: reason}).
                """)
        @OptionGroup var config: ConfigOption
        @Option(help: "Redact reconciled days before this day (YYYY-MM-DD), whatever their age.")
        var before: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let before, CalendarDate(before) == nil { throw ValidationError("--before must be a date, YYYY-MM-DD") }
        }

        struct Report: Encodable {
            let cutoff: String
            let redacted: [String]
            let kept: [String: String]
        }

        func run() async throws {
            let report: Report
            do {
                let terminal = try TerminalConfig.load(path: config.path)
                let journal = try JournalCommand.open(config)
                let cutoff = before ?? terminal.redactionCutoff()
                let result = try await journal.redact(before: cutoff)
                report = Report(cutoff: cutoff, redacted: result.redacted, kept: result.kept)
            } catch {
                throw Output.fail(any: error)
            }
            if json {
                Output.line(Output.json(report))
                return
            }
            Output.line("personal data of reconciled days before \(report.cutoff): \(report.redacted.isEmpty ? "nothing to erase" : "erased for " + report.redacted.joined(separator: ", "))")
            for (day, reason) in report.kept.sorted(by: { $0.key < $1.key }) {
                Output.line("  \(day) kept: \(reason)")
            }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Replace the terminal key that seals patient data in the journal.",
            discussion: """
                Writes a new key into [storage] key_file, wraps every day's key under it, then
                drops the old key from the file. Stopped half-way, nothing is lost: the file
                keeps every key still in use. A copy of the journal taken before, with the old
                key file, no longer opens what is sealed after. Run it as the user that owns the
                key file (cuntong), or as root.
                """)
        @OptionGroup var config: ConfigOption

        func run() async throws {
            do {
                let journal = try JournalCommand.open(config)
                let (id, days) = try await journal.rotateKey()
                Output.line("journal key rotated: now \(id) in \(journal.keyPath); \(days) day key(s) wrapped again")
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every journaled message as JSON lines (masked unless --reveal), oldest first.",
            discussion: "Keys per line: msgid, infno, visitId, state, attempts, createdAt, sentAt, answeredAt, reversesMsgid, request, answer.")
        @OptionGroup var config: ConfigOption
        @Option(help: "Write to this file (created 0600) instead of stdout.") var output: String?
        @Flag(help: "Keep personal data unmasked.") var reveal = false

        struct Line: Encodable {
            var msgid, infno, state: String
            var visitId: Int64?
            var attempts: Int
            var createdAt: String
            var sentAt, answeredAt, reversesMsgid: String?
            var request: String
            var answer: String?
        }

        func run() async throws {
            do {
                let journal = try JournalCommand.open(config)
                let all = try await journal.messages(in: MessageState.allCases)
                var text = ""
                for m in all {
                    func compact(_ d: Data) -> String {
                        MessageMasking.masked(d, reveal: reveal).replacingOccurrences(of: "\n", with: "")
                            .replacingOccurrences(of: "  ", with: "")
                    }
                    let line = Line(msgid: m.msgid, infno: m.infno, state: m.state.rawValue, visitId: m.visitId, attempts: m.attempts,
                                    createdAt: JournalCommand.time(m.createdAt), sentAt: m.sentAt.map { JournalCommand.time($0) },
                                    answeredAt: m.answeredAt.map { JournalCommand.time($0) }, reversesMsgid: m.reversesMsgid,
                                    request: compact(m.request), answer: m.answer.map(compact))
                    text += Output.json(line) + "\n"
                }
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                        throw ValidationError("cannot write \(output)")
                    }
                    Output.error("exported \(all.count) message(s) to \(output)")
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            } catch let e as ValidationError {
                throw e
            } catch {
                throw Output.fail(any: error)
            }
        }
    }
}

struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconcile a day's settlements with the city core (3201 对总账).",
        discussion: """
            Sends the journal's totals of settled visits for the day, one line per insurance
            type × clearing type × clearing agency (as the core named them in each 2207
            answer), and prints the core's verdict. Reversed settlements are left out on both
            sides (refd_setl_flag 0). Exit status 1 if any line does not agree: a mismatch is
            reported, never hidden. JSON: a list of {day, insutype, clrType, setlOptins, count,
            medfeeSumamt, fundPaySumamt, acctPay, result, detail, agrees}.
            """)
    @OptionGroup var config: ConfigOption
    @Option(help: "The day, YYYY-MM-DD (China time). Default: today.") var date: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let date, CalendarDate(date) == nil || date.count != 10 {
            throw ValidationError("--date must be a day as YYYY-MM-DD")
        }
    }

    struct Line: Encodable {
        var day, insutype, clrType, setlOptins: String
        var count: Int
        var medfeeSumamt, fundPaySumamt, acctPay, result, detail: String
        var agrees: Bool
    }

    func run() async throws {
        let day = date ?? WireTime.day(Date())
        let lines: [ReconciliationLine]
        do {
            lines = try await withSettlementClient(config.path) { try await $0.reconcile(day: day) }
        } catch {
            throw Output.fail(any: error)
        }
        let view = lines.map {
            Line(day: $0.day, insutype: $0.insutype, clrType: $0.clrType, setlOptins: $0.setlOptins, count: $0.count, medfeeSumamt: $0.medfeeSumamt.yuan,
                 fundPaySumamt: $0.fundPaySumamt.yuan, acctPay: $0.acctPay.yuan, result: $0.result, detail: $0.detail,
                 agrees: $0.agrees)
        }
        if json {
            Output.line(Output.json(view))
        } else {
            for l in view {
                Output.line("\(l.day)  \(l.insutype)  清算 \(l.clrType)/\(l.setlOptins)  \(l.count) settlement(s)  total ¥\(l.medfeeSumamt)  fund ¥\(l.fundPaySumamt)  account ¥\(l.acctPay)  \(l.agrees ? "平 agrees" : "不平 MISMATCH: " + l.detail)")
            }
        }
        if view.contains(where: { !$0.agrees }) {
            Output.error("the journal and the city core disagree for \(day); keep the journal (`cuntong journal export`) and call the insurance office")
            throw ExitCode(1)
        }
    }
}
