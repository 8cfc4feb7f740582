import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// The file side of the simulated core: 9102 answers streamed from the cached zip (with the
/// catalogue's faults), multipart 9101 uploads, and the paged queries' faults.
extension CoreServer {
    /// Paged queries the page-… faults apply to.
    static let pagedQueries: Set<String> = ["1312", "1317", "1318", "1319"]

    /// 9102: the zip as `application/octet-stream`, or a JSON refusal. Faults: `http500`,
    /// `wrong-sign-no`, `reset` (cut in the middle of the body), and, named by the file's list,
    /// `zip-truncated`, `zip-not-utf8`, `zip-short-row`.
    static func serveDownload(_ body: Data, simulator: CoreSimulator, faults: FaultBoard) async throws -> Response {
        switch await faults.take([.http500, .wrongSignNo], infno: "9102") {
        case .http500: return Response(status: .internalServerError)
        case .wrongSignNo:
            return json(simulator.answer(infcode: -1, msgid: JSONObject(data: body)?.optionalString("msgid") ?? "",
                                         received: simulator.clock(), error: "签到编号(sign_no)无效或已签退，请重新签到(9001)", output: nil))
        default: break
        }
        await simulator.catalogue.ready()
        guard case .file(var path, let filename, let list) = simulator.download(body) else {
            if case .refusal(let data) = simulator.download(body) { return json(data) }
            return json(Data())
        }
        var limit: Int?
        if let list {
            switch await faults.take([.zipTruncated, .zipNotUTF8, .zipShortRow], infno: list) {
            case .zipTruncated:
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                limit = max(1, size / 2)
            case .zipNotUTF8:
                if case .file(let p, _, _) = simulator.download(body, variant: { _ in .gbk }) { path = p }
            case .zipShortRow:
                if case .file(let p, _, _) = simulator.download(body, variant: { _ in .shortRow }) { path = p }
            default: break
            }
        }
        let cut = await faults.take([.reset], infno: "9102") != nil
        return stream(path: path, filename: filename, limit: limit, cutMidway: cut)
    }

    /// The file's bytes (the first `limit` of them), read in chunks as they are sent; with
    /// `cutMidway` the connection is cut once a third has gone.
    static func stream(path: String, filename: String, limit: Int?, cutMidway: Bool) -> Response {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let length = min(limit ?? size, size)
        let cutAfter = cutMidway ? max(1, length / 3) : nil
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\(filename)"
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: length) { writer in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var sent = 0
            while sent < length {
                var want = min(64 * 1024, length - sent)
                if let cutAfter, sent < cutAfter { want = min(want, cutAfter - sent) }
                guard let chunk = try handle.read(upToCount: want), !chunk.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: chunk))
                sent += chunk.count
                if let cutAfter, sent >= cutAfter {
                    try await Task.sleep(for: .milliseconds(50))
                    throw CutConnection()
                }
            }
            try await writer.finish(nil)
        })
    }

    /// page-fail / page-no-pages on a paged query's answer; nil when no fault applies.
    static func pageFault(_ answer: Data, body: Data, infno: String, simulator: CoreSimulator, faults: FaultBoard) async -> Data? {
        guard pagedQueries.contains(infno) else { return nil }
        let data = (try? JSONObject(data: body)?.object("input").object("data")) ?? nil
        let page = data?.optionalString("page_num").flatMap { Int($0) }
        switch await faults.take([.pageFail, .pageNoPages], infno: infno, page: page) {
        case .pageFail:
            return simulator.answer(infcode: -1, msgid: JSONObject(data: body)?.optionalString("msgid") ?? "",
                                    received: simulator.clock(), error: "分页查询失败：第\(page ?? 0)页数据获取超时，请稍后重试", output: nil)
        case .pageNoPages:
            guard var a = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any],
                  var output = a["output"] as? [String: Any] else { return nil }
            output["pages"] = nil
            a["output"] = output
            return try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])
        default: return nil
        }
    }

    /// A multipart/form-data 9101 (`jsonStr`: the envelope, `file`: the zip) as the JSON
    /// envelope with the file in `fsUploadIn.in` (Base64). nil when it does not parse.
    static func multipartEnvelope(_ body: Data, contentType: String) -> Data? {
        guard let range = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...]).split(separator: ";").first.map(String.init) ?? ""
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [(headers: String, content: Data)] = []
        var cursor = body.startIndex
        while let start = body.range(of: delimiter, in: cursor..<body.endIndex) {
            let next = body.range(of: delimiter, in: start.upperBound..<body.endIndex)
            let chunk = body[start.upperBound..<(next?.lowerBound ?? body.endIndex)]
            if let split = chunk.range(of: Data("\r\n\r\n".utf8)) {
                let headers = String(decoding: chunk[chunk.startIndex..<split.lowerBound], as: UTF8.self)
                var content = Data(chunk[split.upperBound...])
                if content.suffix(2) == Data("\r\n".utf8) { content.removeLast(2) }
                parts.append((headers, content))
            }
            guard let next else { break }
            cursor = next.lowerBound
        }
        func part(_ name: String) -> (headers: String, content: Data)? {
            parts.first { $0.headers.contains("name=\"\(name)\"") }
        }
        guard let json = part("jsonStr"), var envelope = (try? JSONSerialization.jsonObject(with: json.content)) as? [String: Any],
              let file = part("file") else { return nil }
        var input = envelope["input"] as? [String: Any] ?? [:]
        var upload = input["fsUploadIn"] as? [String: Any] ?? [:]
        upload["in"] = file.content.base64EncodedString()
        if upload["filename"] == nil, let r = file.headers.range(of: "filename=\"") {
            upload["filename"] = String(file.headers[r.upperBound...].prefix { $0 != "\"" })
        }
        input["fsUploadIn"] = upload
        envelope["input"] = input
        return try? JSONSerialization.data(withJSONObject: envelope)
    }
}
