/// The version reported by `--version`, `/v1/status` and the logs.
public enum CuntongVersion {
    public static let string = "0.1.0"
}
