import Hummingbird
import NIOCore

/// The built-in check-in page (Page/*.html, .js, .css, compiled in): for a clinic with no
/// other software. It uses the same API as clinic software.
enum CheckinPage {
    static let files: [String: (type: String, bytes: [UInt8])] = [
        "index.html": ("text/html; charset=utf-8", PackageResources.index_html),
        "app.js": ("text/javascript; charset=utf-8", PackageResources.app_js),
        "style.css": ("text/css; charset=utf-8", PackageResources.style_css),
    ]

    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in response("index.html") }
        router.get("/page/{file}") { _, context in response(context.parameters.get("file") ?? "") }
    }

    static func response(_ name: String) -> Response {
        guard let file = files[name] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
