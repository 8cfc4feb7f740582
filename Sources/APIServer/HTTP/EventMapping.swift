import CheckinDesk
import LocalAPI
import Presentation

/// The desk's events as the API's `Event` (docs/api.yaml): the patient always masked. Events
/// the API does not list (a reversal) are not shown.
enum EventMapping {
    static func event(_ e: TerminalEvent) -> Components.Schemas.Event? {
        guard let type = Components.Schemas.Event._TypePayload(rawValue: e.kind.rawValue) else { return nil }
        return Components.Schemas.Event(
            _type: type, time: e.time, reader: e.reader, device: e.device, credentialKind: e.credentialKind?.rawValue,
            code: e.code, message: e.message, checkinId: e.checkinId,
            patient: e.patient.map { APIViews.patient($0, reveal: false) }, visitId: e.visitId,
            split: e.split.map(APIViews.split))
    }
}
