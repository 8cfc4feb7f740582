import Foundation

/// The simulators' data (insured persons, policy, cards, fees): `hardware-sim/` when run from
/// a source tree, else where the cuntong-sim package installs it, or `$CUNTONG_SIM_DATA`.
enum SimData {
    static let installed = "/usr/share/cuntong-sim"

    static func path(_ relative: String) -> String {
        if let base = ProcessInfo.processInfo.environment["CUNTONG_SIM_DATA"], !base.isEmpty {
            return base + "/" + relative
        }
        let source = "hardware-sim/" + relative
        if FileManager.default.fileExists(atPath: source) || !FileManager.default.fileExists(atPath: installed + "/" + relative) {
            return source
        }
        return installed + "/" + relative
    }
}
