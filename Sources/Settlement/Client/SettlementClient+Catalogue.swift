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

extension SettlementClient {
    /// 9101: uploads a zip (a 3202 detail file) the way the profile says, and returns its
    /// `file_qury_no`. Journaled like every message; the file itself only where it travels
    /// inside the envelope.
    package func uploadFile(_ zip: Data, filename: String) async throws(SettlementError) -> FileUploadOutput {
        let encoding = settings.profile.uploadEncoding
        let bytes: FileUploadInput.FileBytes? = switch encoding {
        case .base64: .base64(zip.base64EncodedString())
        case .bytes: .signedBytes(zip.map { Int8(bitPattern: $0) })
        case .multipart: nil
        }
        let input = FileUploadInput(fsUploadIn: .init(in: bytes, filename: filename, fixmedins_code: settings.institutionCode))
        guard encoding == .multipart else { return try await call(.fileUpload, input, as: FileUploadOutput.self).0 }
        let message = try await record(.fileUpload, input, visitId: nil, insuplc: "")
        let path = settings.profile.path(.fileUpload)
        let boundary = "cuntong-" + UUID().uuidString
        var form = Data()
        func part(_ headers: String, _ content: Data) {
            form.append(Data("--\(boundary)\r\n\(headers)\r\n\r\n".utf8))
            form.append(content)
            form.append(Data("\r\n".utf8))
        }
        part(#"Content-Disposition: form-data; name="jsonStr""# + "\r\nContent-Type: application/json;charset=utf-8", message.request)
        part(#"Content-Disposition: form-data; name="file"; filename="\#(filename)""# + "\r\nContent-Type: application/zip", zip)
        form.append(Data("--\(boundary)--\r\n".utf8))
        try await journal.markSending(message.msgid, request: message.request, now: now())
        let data: Data
        do {
            data = try await transport.post(path: path, body: form, contentType: "multipart/form-data; boundary=\(boundary)",
                                            // A gateway that signs the body signs what is sent: the form.
                                            headers: signer.headers(path: path, body: form, now: now()))
        } catch {
            // Not retried, and not left for recovery (which resends envelopes, and this one's
            // file is not in it): the caller's next run uploads the file again under a new msgid.
            try? await journal.setState(message.msgid, .abandoned, note: "\(error)")
            switch error {
            case .notSent(let why): throw .coreUnreachable(why)
            case .tls(let why): throw .tls(why)
            case .noAnswer: throw .coreTimeout(infno: "9101", milliseconds: settings.timeoutMilliseconds)
            }
        }
        guard let header = try? WireJSON.decode(AnswerHeader.self, from: data) else {
            try? await journal.setState(message.msgid, .abandoned, note: "the answer is not the platform's envelope")
            throw .badAnswer(infno: "9101", detail: "not the platform's answer envelope")
        }
        try await journal.recordAnswer(message.msgid, answer: data, infcode: header.infcode, errMsg: header.err_msg,
                                       state: header.infcode == 0 ? .answered : .refused, now: now())
        guard header.infcode == 0 else {
            throw .refused(infno: "9101", infcode: header.infcode, reason: header.err_msg ?? "no reason given")
        }
        do { return try WireJSON.decode(AnswerOutput<FileUploadOutput>.self, from: data).output } catch {
            throw .unreadableOutput(infno: "9101", detail: Self.describe(error))
        }
    }
}
