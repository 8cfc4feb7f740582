import Foundation

/// A receipt drawn as the paper would look: HTML (monospace, WenQuanYi Micro Hei Mono for
/// Chinese) and a PNG screenshot of it taken by headless Chromium.
package enum ReceiptRenderer {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    static let fontPx = 16, linePx = 20

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    package static func html(_ receipt: PrintedReceipt, title: String = "receipt") -> String {
        var body = ""
        for line in receipt.lines {
            let cls = line.overflow ? "l over" : "l"
            var inner = ""
            if let qr = line.qr {
                inner = "<span class=\"box qr\">QR<br><small>\(escape(qr))</small></span>"
            } else if let barcode = line.barcode {
                inner = "<span class=\"box\">|||| \(escape(barcode)) ||||</span>"
            } else if let image = line.image {
                inner = "<span class=\"box\">image \(escape(image))</span>"
            } else {
                for run in line.runs {
                    let cols = PrintedReceipt.columns(of: run.text) * run.width
                    var style = "width:\(cols)ch;height:\(run.height * linePx)px"
                    if run.bold { style += ";font-weight:bold" }
                    let deco = run.underline > 0 ? ";text-decoration:underline" + (run.underline > 1 ? " double" : "") : ""
                    if run.width == 1 && run.height == 1 {
                        // Plain text, so that an overflowing line wraps as the printer would wrap it.
                        inner += "<span style=\"\(run.bold ? "font-weight:bold" : "")\(deco)\">\(escape(run.text))</span>"
                        continue
                    }
                    inner += "<span class=\"r\" style=\"\(style)\"><span class=\"g\" style=\"transform:scale(\(run.width),\(run.height))\(deco)\">"
                        + escape(run.text) + "</span></span>"
                }
            }
            body += "<div class=\"\(cls)\" style=\"text-align:\(line.align.rawValue)\">\(inner)</div>\n"
        }
        if let cut = receipt.cut {
            body += "<div class=\"cut\">✂ \(cut.partial ? "partial" : "full") cut</div>\n"
        }
        var problems: [String] = []
        for i in receipt.overflowingLines {
            problems.append("line \(i + 1) overflows: \(receipt.lines[i].columns)/\(receipt.paperColumns) columns")
        }
        problems += receipt.unknownCommands.map { "unknown command at \($0.offset): \($0.bytes) — \($0.note)" }
        problems += receipt.unexpectedBytes.map { "unexpected bytes at \($0.offset): \($0.bytes) — \($0.note)" }
        problems += receipt.notes
        if receipt.discardedBytes > 0 { problems.append("\(receipt.discardedBytes) bytes discarded (printer not printing)") }
        let problemList = problems.isEmpty ? "" : "<ul class=\"problems\">" + problems.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>\(escape(title))</title><style>
            body{margin:0;padding:10px;background:#ccc;font:\(fontPx)px/\(linePx)px 'WenQuanYi Micro Hei Mono','WenQuanYi Micro Hei',monospace}
            .paper{background:#fff;width:\(receipt.paperColumns)ch;padding:10px 1ch;color:#000}
            .l{white-space:pre;min-height:\(linePx)px}
            .over{background:#fcc;outline:1px solid #c00;white-space:pre-wrap;overflow-wrap:anywhere}
            .r{display:inline-block;position:relative;vertical-align:bottom}
            .g{position:absolute;left:0;bottom:0;white-space:pre;transform-origin:0 100%}
            .box{display:inline-block;border:2px dashed #444;padding:4px;white-space:normal;max-width:100%}
            .qr{width:9em;min-height:9em;text-align:center}
            .cut{border-top:2px dashed #888;margin-top:8px;color:#888;font-size:12px}
            .problems{color:#b00;font-size:12px;line-height:16px;width:\(receipt.paperColumns + 4)ch;padding-left:2ch}
            </style></head><body><div class="paper">
            \(body)</div>\(problemList)</body></html>
            """
    }

    /// The window Chromium needs to show the whole receipt.
    static func windowSize(_ receipt: PrintedReceipt) -> (Int, Int) {
        let width = (receipt.paperColumns + 6) * fontPx / 2 + 40
        var height = 60
        for line in receipt.lines {
            height += line.qr != nil ? 170 : line.barcode != nil || line.image != nil ? 40 : line.height * linePx * (line.overflow ? 2 : 1)
        }
        let problems = receipt.unknownCommands.count + receipt.unexpectedBytes.count + receipt.notes.count
            + receipt.overflowingLines.count + (receipt.discardedBytes > 0 ? 1 : 0)
        height += problems * 40 + 40
        return (width, height)
    }

    package static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Writes `htmlPath` and screenshots it to `pngPath` with headless Chromium.
    package static func png(_ receipt: PrintedReceipt, htmlPath: String, pngPath: String, timeout: Duration = .seconds(60)) throws {
        guard let exe = chromium else {
            throw Failure(description: "no PNG: chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
        }
        try html(receipt).write(toFile: htmlPath, atomically: true, encoding: .utf8)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("cuntong-printer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let (w, h) = windowSize(receipt)
        let arguments = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                         "--no-default-browser-check", "--disable-extensions", "--user-data-dir=\(profile)",
                         "--screenshot=\(pngPath)", "--window-size=\(w),\(h)",
                         URL(fileURLWithPath: htmlPath).absoluteString]
        try? FileManager.default.removeItem(atPath: pngPath)
        try run(arguments, timeout: timeout)
        guard FileManager.default.fileExists(atPath: pngPath) else {
            throw Failure(description: "chromium wrote no screenshot")
        }
    }

    /// Runs a program through perl, which closes every descriptor above 2 first (a browser
    /// must not keep the simulator's listening socket or pty open), and waits for it.
    static func run(_ arguments: [String], timeout: Duration) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let closeOthers = #"opendir(my $d, "/proc/self/fd") or die; my @fds = grep { /^\d+$/ && $_ > 2 && $_ != fileno($d) } readdir($d); closedir($d); POSIX::close($_) for @fds; exec @ARGV or die "exec: $!""#
        let argv = (["/usr/bin/perl", "-MPOSIX", "-e", closeOthers] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/perl", &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw Failure(description: "chromium took longer than \(timeout) for a screenshot")
            }
            usleep(50_000)
        }
    }
}
