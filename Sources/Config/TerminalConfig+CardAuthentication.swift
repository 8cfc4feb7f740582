import CardReaders
import Foundation
import TOMLKit

extension TerminalConfig {
    /// The card applications as `[card]` configures them: the SSSE application, with the
    /// RKSSSE key holder `[card] auth` names.
    package func cardApplications(path: String = TerminalConfig.defaultPath) throws(Problem) -> CardApplications {
        .standard(keyHolder: try rksseKeyHolder(path: path))
    }

    package var cardAPDUTimeout: Duration { .milliseconds(card?.apdu_timeout_ms ?? 5000) }

    /// Readers the card watcher leaves alone: the PSAM's SAM slot is not a patient's card.
    package var reservedReaders: Set<String> {
        card?.auth == "psam" ? Set([card?.psam_reader].compactMap { $0 }) : []
    }

    package func rksseKeyHolder(path: String) throws(Problem) -> (any RKSSSEKeyHolder)? {
        let c = card
        switch c?.auth ?? "none" {
        case "none":
            return nil
        case "psam":
            guard let reader = c?.psam_reader, !reader.isEmpty else {
                throw .invalid(path, "[card] auth = \"psam\" needs psam_reader (the SAM slot, as `cuntong readers` names it)")
            }
            var settings = PSAMKeyHolder.Settings(reader: reader, apduTimeout: cardAPDUTimeout)
            if let configured = c?.psam_environments {
                settings.environments.merge(configured) { _, new in new }
            }
            for (key, value) in [("psam_internal_key", c?.psam_internal_key), ("psam_rkssse_key", c?.psam_rkssse_key)] {
                guard let value else { continue }
                guard let parsed = PSAMKeyHolder.Key(hex: value) else {
                    throw .invalid(path, "[card] \(key) must be 4 hex digits (usage, key id), e.g. \"670A\"")
                }
                if key == "psam_internal_key" { settings.internalKey = parsed } else { settings.externalKey = parsed }
            }
            return PSAMKeyHolder(settings: settings)
        case "key-service":
            guard let url = c?.key_service_url, url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw .invalid(path, "[card] auth = \"key-service\" needs key_service_url (https://…)")
            }
            let formatName = c?.key_service_format ?? KeyServiceKeyHolder.Format.stepString.rawValue
            guard let format = KeyServiceKeyHolder.Format(rawValue: formatName) else {
                throw .invalid(path, "[card] key_service_format must be \"step-string\" or \"json\", not \"\(formatName)\"")
            }
            let headers = try c?.key_service_credentials.map { file throws(Problem) in try Self.keyServiceHeaders(file) } ?? [:]
            return KeyServiceKeyHolder(settings: .init(
                url: url, format: format, headers: headers, terminalID: c?.key_service_terminal_id,
                timeout: .milliseconds(c?.key_service_timeout_ms ?? 5000), caFile: c?.key_service_ca_file))
        case let other:
            throw .invalid(path, "[card] auth must be \"psam\", \"key-service\" or \"none\", not \"\(other)\"")
        }
    }

    private struct KeyServiceCredentials: Decodable {
        var username: String?
        var password: String?
        var token: String?
        var headers: [String: String]?
    }

    /// Reads the key service's credentials file: it must be private (0600), since it opens
    /// every patient's personal file.
    static func keyServiceHeaders(_ file: String) throws(Problem) -> [String: String] {
        var st = stat()
        guard stat(file, &st) == 0 else {
            throw .invalid(file, "[card] key_service_credentials does not exist or cannot be reached")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw .invalid(file, "it may be read by others (mode \(String(st.st_mode & 0o777, radix: 8))): make it 0600, owned by cuntong")
        }
        let credentials: KeyServiceCredentials
        do {
            credentials = try TOMLDecoder().decode(KeyServiceCredentials.self, from: String(contentsOfFile: file, encoding: .utf8))
        } catch {
            // The parser's message may quote a secret: say only what is wrong.
            throw .invalid(file, "not valid TOML with username/password, token or [headers]")
        }
        var headers = credentials.headers ?? [:]
        if let token = credentials.token {
            headers["Authorization"] = "Bearer \(token)"
        } else if let user = credentials.username, let password = credentials.password {
            headers["Authorization"] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
        return headers
    }
}
