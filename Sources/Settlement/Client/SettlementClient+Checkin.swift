import Foundation
import TerminalCore

/// The identity the core confirmed, with the certificate to quote in the visit's messages.
package struct CheckedInPatient: Sendable {
    package var identity: Identity
    package var certificate: Certificate
}

/// What 1101 is asked with: the certificate, and the person as the credential names them.
struct PersonQuery: Sendable {
    var certificate: Certificate
    /// psn_cert_type and certno: from the card, the typed ID number, or the platform.
    var certType = "01"
    var certno: String
    var name = ""
    /// The platform's `insuOrg`: the insurance division when 1101 gives none.
    var insuOrg: String?
}

extension SettlementClient {
    /// Turns what was presented into what 1101 is asked with. QR codes are decoded and faces
    /// confirmed by the e-credential platform; nothing about the person is read from the code.
    func query(for credential: Credential, business: ECBusiness) async throws(SettlementError) -> PersonQuery {
        switch credential.kind {
        case .manualIDNumber:
            return PersonQuery(certificate: Certificate(type: .idNumber, number: credential.payload), certno: credential.payload)
        case .socialSecurityCard:
            // A 3.0 card whose personal file stayed locked gives only its number and 卡识别码:
            // 1101 then goes without certno (optional in the field table), and the core names the person.
            let certno = credential.attributes["socialSecurityNumber"] ?? ""
            return PersonQuery(certificate: Certificate(type: .socialSecurityCard, number: credential.payload,
                                                        cardSN: credential.attributes["cardIdentifier"] ?? ""),
                               certType: certno.isEmpty ? "" : "01", certno: certno)
        case .electronicSocialSecurityQRCode where settings.codes.esscDecoder == .refuse:
            throw .codeRefused("电子社保卡 codes are not accepted here ([credentials] essc_decoder = \"refuse\")")
        case .medicalInsuranceQRCode, .electronicSocialSecurityQRCode, .unclassifiedQRCode:
            let holder = try await ecCall("ec.query", ECQueryBody(
                orgId: settings.institutionCode, businessType: business.rawValue, operatorId: settings.operatorCode,
                operatorName: settings.operatorName, officeId: settings.codes.officeId, officeName: settings.codes.officeName,
                deviceType: settings.codes.deviceType, ecQrCode: credential.payload), as: ECHolder.self)
            guard let token = holder.ecToken else {
                throw .badAnswer(infno: "ec.query", detail: "the platform gave no ecToken")
            }
            // 1101 with the e-credential token (01), as the field table writes it.
            return PersonQuery(certificate: Certificate(type: .ecToken, number: token), certType: holder.idType ?? "01",
                               certno: holder.idNo, name: holder.userName ?? "", insuOrg: holder.insuOrg)
        case .faceAuthToken:
            let holder = try await confirmFace(credential.payload, business: business)
            // The platform confirmed the face; 1101 goes by the holder's ID number (02).
            return PersonQuery(certificate: Certificate(type: .idNumber, number: holder.idNo), certType: holder.idType ?? "01",
                               certno: holder.idNo, name: holder.userName ?? "", insuOrg: holder.insuOrg)
        }
    }

    /// The face terminal's result confirmed with the platform: `cn.nhsa.ec.auth` opens the
    /// confirmation (the result in `extData`, under `[credentials] face_result_key`) and
    /// returns `authNo`; `cn.nhsa.auth.check` returns the holder.
    func confirmFace(_ result: String, business: ECBusiness) async throws(SettlementError) -> ECHolder {
        let s = settings
        let extData = (try? WireJSON.encode([s.codes.faceResultKey: result])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        func body(extData: String? = nil, authNo: String? = nil) -> ECFaceBody {
            ECFaceBody(orgId: s.institutionCode, outBizNo: outBizNo(), businessType: business.rawValue,
                       operatorId: s.operatorCode, operatorName: s.operatorName, officeId: s.codes.officeId,
                       officeName: s.codes.officeName, extData: extData, authNo: authNo)
        }
        let auth = try await ecCall("cn.nhsa.ec.auth", body(extData: extData), as: ECAuthResult.self)
        return try await ecCall("cn.nhsa.auth.check", body(authNo: auth.authNo), as: ECHolder.self)
    }

    /// 定点医药机构本次业务流水号: unique per request, at most 64 characters.
    func outBizNo() -> String {
        settings.institutionCode + WireTime.stamp(now()) + String(UUID().uuidString.filter(\.isHexDigit).prefix(16))
    }

    /// One call to the e-credential platform. Queries with no effect at the core, so not
    /// journaled. A non-zero `code` ends it with the platform's `message`, word for word.
    func ecCall<Body: Encodable & Sendable, Out: Decodable & Sendable>(
        _ transType: String, _ body: Body, as: Out.Type
    ) async throws(SettlementError) -> Out {
        let request: Data
        do { request = try WireJSON.encode(ECRequest(orgId: settings.institutionCode, transType: transType, data: body)) } catch {
            throw .badAnswer(infno: transType, detail: "the request could not be written")
        }
        let url = settings.ecURL ?? settings.profile.ecQueryPath
        let data: Data
        do {
            data = try await transport.post(path: url, body: request, headers: signer.headers(path: url, body: request, now: now()))
        } catch {
            switch error {
            case .notSent(let why): throw .coreUnreachable(why)
            case .noAnswer: throw .coreTimeout(infno: transType, milliseconds: settings.timeoutMilliseconds)
            case .tls(let why): throw .tls(why)
            }
        }
        let answer: ECAnswer<Out>
        do { answer = try WireJSON.decode(ECAnswer<Out>.self, from: data) } catch {
            throw .badAnswer(infno: transType, detail: "not the e-credential platform's answer: \(Self.describe(error))")
        }
        guard answer.code == 0 else {
            throw .codeRefused("\(answer.message ?? "the platform gave no reason") (\(transType) code \(answer.code))")
        }
        guard let found = answer.data else {
            throw .badAnswer(infno: transType, detail: "its data is missing or cannot be read")
        }
        return found
    }

    /// 1101: who the credential belongs to, as the core says. A code is decoded for
    /// `business` (门诊挂号 at check-in).
    package func checkIn(_ credential: Credential, business: ECBusiness = .registration) async throws(SettlementError) -> CheckedInPatient {
        try await personInfo(try await query(for: credential, business: business))
    }

    func personInfo(_ q: PersonQuery) async throws(SettlementError) -> CheckedInPatient {
        let input = PersonInfoInput(data: .init(
            mdtrt_cert_type: q.certificate.type.rawValue, mdtrt_cert_no: q.certificate.number, card_sn: q.certificate.cardSN,
            begntime: WireTime.infTime(now()), psn_cert_type: q.certType, certno: q.certno, psn_name: q.name))
        let (out, _) = try await call(.personInfo, input, as: PersonInfoOutput.self)
        return CheckedInPatient(identity: out.identity(clinicRegion: settings.adminDivision, fallbackRegion: q.insuOrg),
                                certificate: q.certificate)
    }
}
