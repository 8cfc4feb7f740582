import Foundation
import TerminalCore

/// The catalogue's transactions. Each is journaled like every message (its msgid allocated
/// there, its request kept), but only the header of its answer: a page of the national
/// catalogue holds no patient's data and would swell the journal on every sync.
extension SettlementClient {
    /// 1301–1307: the file holding the next version after `ver`, or none.
    package func catalogueFile(_ list: Transaction, after ver: String) async throws(SettlementError) -> CatalogueFileOutput {
        try await call(list, CatalogueVersionInput(ver: ver), as: CatalogueFileOutput.self, keepOutput: false).0
    }

    /// 1312, 1317, 1318, 1319: one page.
    package func cataloguePage(_ list: Transaction, _ input: PagedQueryInput) async throws(SettlementError) -> PageOutput {
        try await call(list, input, as: PageOutput.self, keepOutput: false).0
    }

    /// 1901: one dictionary's entries.
    package func dictionary(type: String, date: String) async throws(SettlementError) -> [LooseRow] {
        try await call(.dictionary, DictionaryInput(type: type, admdvs: settings.adminDivision, date: date), as: DictionaryOutput.self, keepOutput: false).0.list
    }

    /// 3301: one row of the clinic's mapping, under the node the profile names.
    package func uploadMapping(_ row: MappingUploadInput.Row) async throws(SettlementError) {
        _ = try await call(.mappingUpload, MappingUploadInput(node: settings.profile.mappingUploadNode, row: row), as: Ignored.self)
    }

    /// 3302: revokes one row of the clinic's mapping.
    package func revokeMapping(clinicCode: String, listType: String, code: String) async throws(SettlementError) {
        _ = try await call(.mappingRevoke, MappingRevokeInput(fixmedinsCode: settings.institutionCode, clinicCode: clinicCode,
                                                               listType: listType, code: code), as: Ignored.self)
    }

    /// 9102: streams the named file into `destination`. The answer is the file itself
    /// (`application/octet-stream`); a JSON body is the core's refusal. Returns its size.
    /// Nothing is retried here: a download cut off is started again by the caller's next sync.
    package func downloadFile(fileQueryNo: String, filename: String, fixmedinsCode: String = "plc",
                              to destination: URL) async throws(SettlementError) -> Int {
        let message = try await record(.fileDownload, FileDownloadInput(fileQueryNo: fileQueryNo, filename: filename,
                                                                          fixmedinsCode: fixmedinsCode),
                                       visitId: nil, insuplc: "")
        let path = settings.profile.path(.fileDownload)
        try await journal.markSending(message.msgid, request: message.request, now: now())
        let body: DownloadedBody
        do {
            body = try await transport.download(path: path, body: message.request,
                                                headers: signer.headers(path: path, body: message.request, now: now()),
                                                to: destination)
        } catch {
            try? await journal.setState(message.msgid, .abandoned, note: "\(error)")
            switch error {
            case .notSent(let why): throw .coreUnreachable(why)
            case .tls(let why): throw .tls(why)
            case .noAnswer(let why): throw .badAnswer(infno: "9102", detail: why)
            }
        }
        if Self.looksLikeJSON(body, at: destination) {
            let data = (try? Data(contentsOf: destination)) ?? Data()
            guard let header = try? WireJSON.decode(AnswerHeader.self, from: data) else {
                try? await journal.setState(message.msgid, .abandoned, note: "answer is neither a file nor the envelope")
                throw .badAnswer(infno: "9102", detail: "the answer is neither a file nor the platform's envelope")
            }
            try await journal.recordAnswer(message.msgid, answer: data, infcode: header.infcode, errMsg: header.err_msg,
                                           state: header.infcode == 0 ? .answered : .refused, now: now())
            throw .refused(infno: "9102", infcode: header.infcode == 0 ? -1 : header.infcode,
                           reason: header.err_msg ?? "the core answered with a message instead of the file")
        }
        let note = Data(#"{"infcode":0,"output":"a file of \#(body.bytes) bytes (\#(body.contentType ?? "no content type")), not kept"}"#.utf8)
        try await journal.recordAnswer(message.msgid, answer: note, infcode: 0, errMsg: nil, state: .answered, now: now())
        return body.bytes
    }

    /// A JSON content type, or a body that starts with `{` (some gateways send files as
    /// text/plain and refusals without a content type).
    static func looksLikeJSON(_ body: DownloadedBody, at file: URL) -> Bool {
        if let type = body.contentType?.lowercased(), type.contains("json") { return true }
        guard let handle = try? FileHandle(forReadingFrom: file) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        return head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{")
    }
}
