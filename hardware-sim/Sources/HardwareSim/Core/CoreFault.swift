/// A fault the simulated core shows, chosen per run (`--fault`) or changed while running
/// (`POST /sim/faults`). Grammar, one per line or flag:
///
///     delay:MS[:INFNO]          answer after MS milliseconds (every time)
///     drop:INFNO[:TIMES]        process and commit, then cut the connection: the answer is lost
///     http500:INFNO[:TIMES]     answer HTTP 500 without processing
///     reset:INFNO[:TIMES]       cut the connection without processing
///     wrong-sign-no[:TIMES]     refuse the next message as if its sign_no were stale
///     bad-output:INFNO[:TIMES]  process and commit, then answer infcode 0 with an output that
///                               does not read (a settlement the core did, unreadable)
///
/// Catalogue faults (INFNO names the list or the paged query, e.g. 1301 or 1312):
///
///     zip-truncated:INFNO[:TIMES]   the list's next 9102 answer is its zip cut short (HTTP 200,
///                                   a complete response of fewer bytes)
///     zip-not-utf8:INFNO[:TIMES]    the list's next 9102 answer is a zip whose text is GBK
///     zip-short-row:INFNO[:TIMES]   the list's next 9102 answer has a row with fewer columns
///     page-fail:INFNO:PAGE[:TIMES]  that page (page_num) of a paged query answers infcode -1
///     page-no-pages:INFNO[:TIMES]   a page answer without its `pages` field
///
/// `reset:9102` (or `reset:*`) cuts a file download in the middle of the zip body, after some
/// bytes were sent.
///
/// Ledger faults (what 3201/3202 must find; applied when the next request arrives):
///
///     ledger-forget:SETL_ID     the core's ledger loses that settlement (or refund): 3201 and
///                               3202 miss it, 5203 does not find it, 2208 refuses it
///     ledger-extra              the core's ledger gains a settlement the terminal never made:
///                               today, for the institution of the next request, a resident
///                               with one 一般诊疗费; 5203/5204 answer it, 3202 reports it 中心多
///
/// INFNO may be `*` (any transaction). TIMES defaults to 1; 0 means every time.
package struct CoreFault: Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable, Equatable {
        case delay, drop, http500, reset, wrongSignNo = "wrong-sign-no", badOutput = "bad-output"
        case zipTruncated = "zip-truncated", zipNotUTF8 = "zip-not-utf8", zipShortRow = "zip-short-row"
        case pageFail = "page-fail", pageNoPages = "page-no-pages"
        case ledgerForget = "ledger-forget", ledgerExtra = "ledger-extra"
    }

    package var kind: Kind
    package var infno: String
    package var milliseconds: Int
    /// page-fail: the page (page_num) that fails.
    package var page: Int = 0
    /// nil = every time.
    package var remaining: Int?
    /// ledger-forget: the settlement's setl_id.
    package var target: String = ""

    package static let usage = "delay:MS[:INFNO] | drop:INFNO[:TIMES] | http500:INFNO[:TIMES] | reset:INFNO[:TIMES] | wrong-sign-no[:TIMES] | bad-output:INFNO[:TIMES] | zip-truncated:INFNO[:TIMES] | zip-not-utf8:INFNO[:TIMES] | zip-short-row:INFNO[:TIMES] | page-fail:INFNO:PAGE[:TIMES] | page-no-pages:INFNO[:TIMES] | ledger-forget:SETL_ID | ledger-extra"

    package init?(parsing text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":").map(String.init)
        guard let first = parts.first, let kind = Kind(rawValue: first) else { return nil }
        func times(_ s: String?) -> Int?? {
            guard let s else { return .some(1) }
            guard let n = Int(s), n >= 0 else { return nil }
            return .some(n == 0 ? nil : n)
        }
        self.kind = kind
        milliseconds = 0
        switch kind {
        case .delay:
            guard parts.count == 2 || parts.count == 3, let ms = Int(parts[1]), ms >= 0 else { return nil }
            milliseconds = ms
            infno = parts.count == 3 ? parts[2] : "*"
            remaining = nil
        case .pageFail:
            guard parts.count == 3 || parts.count == 4, let page = Int(parts[2]), page >= 1,
                  let t = times(parts.count == 4 ? parts[3] : nil) else { return nil }
            infno = parts[1]
            self.page = page
            remaining = t
        case .drop, .http500, .reset, .badOutput, .zipTruncated, .zipNotUTF8, .zipShortRow, .pageNoPages:
            guard parts.count == 2 || parts.count == 3, let t = times(parts.count == 3 ? parts[2] : nil) else { return nil }
            infno = parts[1]
            remaining = t
        case .wrongSignNo:
            guard parts.count <= 2, let t = times(parts.count == 2 ? parts[1] : nil) else { return nil }
            infno = "*"
            remaining = t
        case .ledgerForget:
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            infno = "*"
            target = parts[1]
            remaining = 1
        case .ledgerExtra:
            guard parts.count == 1 else { return nil }
            infno = "*"
            remaining = 1
        }
        guard infno == "*" || (infno.count == 4 && infno.allSatisfy(\.isNumber)) else { return nil }
    }

    package var description: String {
        switch kind {
        case .delay: "delay:\(milliseconds):\(infno)"
        case .wrongSignNo: "wrong-sign-no:\(remaining ?? 0)"
        case .pageFail: "page-fail:\(infno):\(page):\(remaining ?? 0)"
        case .ledgerForget: "ledger-forget:\(target)"
        case .ledgerExtra: "ledger-extra"
        default: "\(kind.rawValue):\(infno):\(remaining ?? 0)"
        }
    }

    func applies(to infno: String) -> Bool { self.infno == "*" || self.infno == infno }
}

import Foundation

/// The faults in force; each use of a counted fault uses it up.
actor FaultBoard {
    private(set) var faults: [CoreFault]

    init(_ faults: [CoreFault]) { self.faults = faults }

    func replace(_ new: [CoreFault]) { faults = new }

    func delay(for infno: String) -> Int {
        faults.filter { $0.kind == .delay && $0.applies(to: infno) }.map(\.milliseconds).max() ?? 0
    }

    /// Takes the ledger faults (ledger-forget, ledger-extra): each applies once.
    func takeLedgerFaults() -> [CoreFault] {
        let taken = faults.filter { $0.kind == .ledgerForget || $0.kind == .ledgerExtra }
        faults.removeAll { $0.kind == .ledgerForget || $0.kind == .ledgerExtra }
        return taken
    }

    /// Takes one use of the first fault of `kinds` that applies to `infno`.
    func take(_ kinds: [CoreFault.Kind], infno: String, page: Int? = nil) -> CoreFault.Kind? {
        guard let i = faults.firstIndex(where: {
            kinds.contains($0.kind) && $0.applies(to: infno) && ($0.kind != .pageFail || $0.page == page)
        }) else { return nil }
        let fault = faults[i]
        if let n = fault.remaining {
            if n <= 1 { faults.remove(at: i) } else { faults[i].remaining = n - 1 }
        }
        return fault.kind
    }
}
