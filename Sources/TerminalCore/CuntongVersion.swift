/// The version reported by `--version`, `/v1/status`, the logs and the journal's `opened_by`
/// table; `packaging/build-deb` names the package after it.
package enum CuntongVersion {
    package static let string = "0.1.0"
}
