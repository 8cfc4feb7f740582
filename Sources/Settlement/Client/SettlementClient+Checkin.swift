import Foundation
import TerminalCore

/// The identity the core confirmed, with the certificate to quote in the visit's messages.
public struct CheckedInPatient: Sendable {
    public var identity: Identity
    public var certificate: Certificate
}

extension SettlementClient {
    /// Turns what was presented into the certificate the core knows. QR codes and face
    /// tokens are resolved by the e-credential service first; nothing about the person is
    /// read from the code itself.
    public func certificate(for credential: Credential, deviceSerial: String = "") async throws(SettlementError) -> (Certificate, certno: String) {
        switch credential.kind {
        case .manualIDNumber:
            return (Certificate(type: .idNumber, number: credential.payload), credential.payload)
        case .socialSecurityCard:
            return (Certificate(type: .socialSecurityCard, number: credential.payload,
                                cardSN: credential.attributes["cardIdentifier"] ?? ""),
                    credential.attributes["socialSecurityNumber"] ?? "")
        case .medicalInsuranceQRCode, .electronicSocialSecurityQRCode, .unclassifiedQRCode:
            let answer = try await ecQuery(qrCode: credential.payload, authCode: nil, deviceSerial: deviceSerial)
            return (Certificate(type: .ecToken, number: answer.ecToken), answer.idNo)
        case .faceAuthToken:
            let answer = try await ecQuery(qrCode: nil, authCode: credential.payload, deviceSerial: deviceSerial)
            return (Certificate(type: .faceToken, number: answer.ecToken), answer.idNo)
        }
    }

    /// `ec.query`: resolves a code or face token into the e-credential token and holder.
    /// A query with no effect at the core, so it is not journaled.
    func ecQuery(qrCode: String?, authCode: String?, deviceSerial: String) async throws(SettlementError) -> ECQueryAnswer.Body {
        let request = ECQueryRequest(
            orgId: settings.institutionCode, transType: "ec.query",
            data: .init(orgId: settings.institutionCode, businessType: "01101", operatorId: settings.operatorCode,
                        operatorName: settings.operatorName, officeId: "", officeName: "", qrCode: qrCode,
                        authCode: authCode, deviceSn: deviceSerial.isEmpty ? settings.deviceNumber : deviceSerial))
        let body: Data
        do { body = try WireJSON.encode(request) } catch { throw .badAnswer(infno: "ec.query", detail: "\(error)") }
        let data: Data
        let url = settings.ecURL ?? settings.profile.ecQueryPath
        do { data = try await transport.post(path: url, body: body, headers: signer.headers(path: url, body: body, now: now())) } catch {
            switch error {
            case .notSent(let why): throw .coreUnreachable(why)
            case .noAnswer: throw .coreTimeout(infno: "ec.query", milliseconds: settings.timeoutMilliseconds)
            case .tls(let why): throw .tls(why)
            }
        }
        guard let answer = try? WireJSON.decode(ECQueryAnswer.self, from: data) else {
            throw .badAnswer(infno: "ec.query", detail: "not the e-credential answer")
        }
        guard answer.code == 0, let found = answer.data else {
            throw .codeRefused(answer.message ?? "the e-credential service gave no reason")
        }
        return found
    }

    /// 1101: who the credential belongs to, as the core says.
    public func checkIn(_ credential: Credential, deviceSerial: String = "") async throws(SettlementError) -> CheckedInPatient {
        let (cert, certno) = try await certificate(for: credential, deviceSerial: deviceSerial)
        return try await personInfo(cert, certno: certno)
    }

    public func personInfo(_ cert: Certificate, certno: String) async throws(SettlementError) -> CheckedInPatient {
        let input = PersonInfoInput(data: .init(
            mdtrt_cert_type: cert.type.rawValue, mdtrt_cert_no: cert.number, card_sn: cert.cardSN,
            begntime: WireTime.infTime(now()), psn_cert_type: "01", certno: certno, psn_name: ""))
        let (out, _) = try await call(.personInfo, input, as: PersonInfoOutput.self)
        return CheckedInPatient(identity: out.identity(clinicRegion: settings.adminDivision), certificate: cert)
    }
}
