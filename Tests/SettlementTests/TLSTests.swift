import Foundation
import Settlement
import TestSupport
import Testing

/// The core over HTTPS with a certificate from a CA made for the test (openssl): trusted
/// through `[core] ca_file`, refused without it.
@Suite("TLS to the city core", .timeLimit(.minutes(5)))
struct TLSTests {
    /// A CA and a server certificate for 127.0.0.1 under `directory`.
    static func makeCertificates(in directory: String) async throws -> (ca: String, cert: String, key: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ext = directory + "/server.ext"
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=cuntong test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
        ]
        for step in steps {
            let r = try await ProcessRunner.run("/usr/bin/openssl", step.map { $0.hasSuffix(".key") || $0.hasSuffix(".pem") || $0.hasSuffix(".csr") || $0.hasSuffix(".ext") ? directory + "/" + $0 : $0 })
            try #require(r.status == 0, "openssl \(step.first!): \(r.stderr)")
        }
        return (directory + "/ca.pem", directory + "/server.pem", directory + "/server.key")
    }

    @Test("With [core] ca_file the client trusts the core; without it the certificate is refused in words")
    func caFile() async throws {
        let certs = try await Self.makeCertificates(in: NSTemporaryDirectory() + "cuntong-tls-\(UUID().uuidString.prefix(8))")
        let core = try await CoreFixture.start(tls: (certs.cert, certs.key))
        let trusted = try core.client(caFile: certs.ca)
        let patient = try await trusted.checkIn(Fixtures.idNumber(Fixtures.ouyang))
        #expect(patient.identity.name == "欧阳淼")
        await trusted.shutdown()

        let untrusted = try core.client(journal: "untrusted")
        var caught: SettlementError?
        do { _ = try await untrusted.checkIn(Fixtures.idNumber(Fixtures.ouyang)) } catch { caught = error }
        let error = try #require(caught, "an unknown CA must be refused")
        #expect(error.code == "CORE-TLS")
        #expect(error.message.contains("ca_file"))
        #expect(try await untrusted.journal.count(in: [.inDoubt, .sending]) == 0, "nothing was sent")
        await untrusted.shutdown()

        #expect(throws: SettlementError.configuration("[core] ca_file /nonexistent/ca.pem cannot be read")) {
            _ = try HTTPCoreTransport(settings: core.settings(caFile: "/nonexistent/ca.pem"))
        }
        await core.stop()
    }
}
