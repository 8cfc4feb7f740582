import Catalogue
import CheckinDesk
import FaceTerminal
import Foundation
import LocalAPI
import Logging
import OpenAPIRuntime
import Presentation
import Prometheus
import Settlement
import TerminalCore

/// The local API (docs/api.yaml): the generated server protocol, answered from the check-in
/// desk, the daemon's state and the journal.
package struct APIHandler: APIProtocol {
    package struct Settings: Sendable {
        package var version: String
        package var institution: Components.Schemas.Coded
        package var terminal: String
        package var simulator: Bool
        package var coreURL: String
        package var catalogue: String?
        package var doctor: Components.Schemas.Coded

        package init(version: String, institution: Components.Schemas.Coded, terminal: String, simulator: Bool,
                    coreURL: String, catalogue: String?, doctor: Components.Schemas.Coded) {
            self.version = version
            self.institution = institution
            self.terminal = terminal
            self.simulator = simulator
            self.coreURL = coreURL
            self.catalogue = catalogue
            self.doctor = doctor
        }
    }

    let settings: Settings
    let desk: CheckinDesk
    let hub: EventHub
    let state: TerminalState
    let box: ClientBox
    let metrics: MetricsExport

    package init(settings: Settings, desk: CheckinDesk, hub: EventHub, state: TerminalState, client: ClientBox,
                metrics: MetricsExport) {
        self.settings = settings
        self.desk = desk
        self.hub = hub
        self.state = state
        self.box = client
        self.metrics = metrics
    }

    /// Runs `body`; any error becomes the operation's `default` answer with its Problem.
    func answer<O>(_ fail: (Int, Components.Responses.Problem) -> O, _ body: () async throws -> O) async -> O {
        do { return try await body() } catch {
            let p = APIProblem(error)
            return fail(p.status, p.response)
        }
    }

    package func getStatus(_ input: Operations.GetStatus.Input) async throws -> Operations.GetStatus.Output {
        let s = state.snapshot
        let journal = box.client.journal
        let signedIn = (try? await journal.signIn(day: WireTime.day(Date()))) != nil
        return .ok(.init(body: .json(.init(
            version: settings.version, institution: settings.institution, terminal: settings.terminal,
            simulator: settings.simulator,
            readers: s.readers.sorted { $0.key < $1.key }.map { .init(name: $0.key, virtual: $0.value.virtual, cardPresent: $0.value.cardPresent) },
            scanners: s.scanners.sorted { $0.key < $1.key }.map { .init(device: $0.key, mode: $0.value) },
            face: .init(configured: s.faceEndpoint != nil, endpoint: s.faceEndpoint,
                        connected: s.faceEndpoint == nil ? nil : s.faceConnected, lastResult: s.faceLastResult),
            core: .init(url: settings.coreURL, reachable: s.coreReachable,
                        state: s.coreReachable.map { $0 ? .up : .down } ?? .unknown, since: s.coreSince,
                        reason: s.coreDownReason, signedIn: signedIn, signedInAt: s.signedInAt, lastContact: s.lastContact),
            queue: await .init(inDoubt: (try? journal.inDoubtCount()) ?? s.inDoubt,
                         queued: (try? journal.count(in: [.queued])) ?? s.queued,
                         needsReview: (try? journal.visitsNeedingReview().count) ?? 0),
            checkinWaiting: s.checkinWaiting, catalogue: await catalogueStatus(), notice: s.notice))))
    }

    func catalogueStatus() async -> Components.Schemas.CatalogueStatus {
        let states = (try? await desk.feeCheck.store?.states()) ?? []
        let now = Date()
        return .init(present: states.contains { $0.rows > 0 && $0.list.hasPrefix("13") },
                     lists: states.map { .init(list: $0.list, version: $0.version, rows: $0.rows, syncedAt: $0.syncedAt,
                                               ageSeconds: $0.syncedAt.map { Int(now.timeIntervalSince($0)) }) })
    }

    package func searchCatalogue(_ input: Operations.SearchCatalogue.Input) async throws -> Operations.SearchCatalogue.Output {
        await answer(Operations.SearchCatalogue.Output.default) {
            let kind = input.query.kind.flatMap { CatalogueList.Kind(rawValue: $0.rawValue) }
            let limit = min(max(input.query.limit ?? 20, 1), 200)
            let hits = try await desk.feeCheck.store?.search(input.query.q, kind: kind, limit: limit) ?? []
            return .ok(.init(body: .json(.init(results: hits.map(APIViews.catalogueEntry)))))
        }
    }

    package func streamEvents(_ input: Operations.StreamEvents.Input) async throws -> Operations.StreamEvents.Output {
        .ok(.init(body: .textEventStream(HTTPBody(ServerSentEventStream.bytes(from: hub), length: .unknown,
                                                  iterationBehavior: .single))))
    }

    package func createCheckin(_ input: Operations.CreateCheckin.Input) async throws -> Operations.CreateCheckin.Output {
        await answer(Operations.CreateCheckin.Output.default) {
            guard case .json(let request) = input.body else { throw CheckinProblem.invalidRequest("the body must be JSON") }
            let wait = request.waitSeconds ?? 60
            guard (1...300).contains(wait) else { throw CheckinProblem.invalidRequest("waitSeconds must be 1 to 300") }
            let checkedIn = try await desk.checkIn(idNumber: request.idNumber, waitSeconds: wait)
            return .created(.init(body: .json(APIViews.checkin(checkedIn, reveal: input.query.reveal ?? false))))
        }
    }

    package func cancelWaitingCheckin(_ input: Operations.CancelWaitingCheckin.Input) async throws -> Operations.CancelWaitingCheckin.Output {
        if await desk.cancelWait() { return .noContent(.init()) }
        return .default(statusCode: 404, APIProblem(status: 404, code: "CHECKIN-NOT-WAITING",
                                                    message: "No check-in is waiting for a credential.").response)
    }

    package func getCheckin(_ input: Operations.GetCheckin.Input) async throws -> Operations.GetCheckin.Output {
        await answer(Operations.GetCheckin.Output.default) {
            let found = try await desk.checkin(input.path.checkinId)
            return .ok(.init(body: .json(APIViews.checkin(found, reveal: input.query.reveal ?? false))))
        }
    }

    package func createVisit(_ input: Operations.CreateVisit.Input) async throws -> Operations.CreateVisit.Output {
        await answer(Operations.CreateVisit.Output.default) {
            guard case .json(let r) = input.body else { throw CheckinProblem.invalidRequest("the body must be JSON") }
            let header = FeeList(department: APIViews.coded(r.department), doctor: APIViews.coded(r.doctor),
                                 diagnosis: APIViews.coded(r.diagnosis),
                                 diseaseCategory: APIViews.diseaseCategory(r.diseaseCategory), items: [])
            let visit = try await desk.openVisit(checkinId: r.checkinId, fees: header)
            return .created(.init(body: .json(try await view(visit.visitId))))
        }
    }

    package func getVisit(_ input: Operations.GetVisit.Input) async throws -> Operations.GetVisit.Output {
        await answer(Operations.GetVisit.Output.default) { .ok(.init(body: .json(try await view(input.path.visitId)))) }
    }

    package func cancelVisit(_ input: Operations.CancelVisit.Input) async throws -> Operations.CancelVisit.Output {
        await answer(Operations.CancelVisit.Output.default) {
            let visit = try await desk.cancel(visitId: input.path.visitId)
            return .ok(.init(body: .json(APIViews.visit(visit, progress: nil, checkinId: nil))))
        }
    }

    package func uploadFees(_ input: Operations.UploadFees.Input) async throws -> Operations.UploadFees.Output {
        await answer(Operations.UploadFees.Output.default) {
            guard case .json(let r) = input.body else { throw CheckinProblem.invalidRequest("the body must be JSON") }
            let items = try Self.items(r.items)
            _ = try await desk.uploadFees(visitId: input.path.visitId, items: items)
            return .ok(.init(body: .json(try await view(input.path.visitId))))
        }
    }

    package func preSettleVisit(_ input: Operations.PreSettleVisit.Input) async throws -> Operations.PreSettleVisit.Output {
        await answer(Operations.PreSettleVisit.Output.default) {
            _ = try await desk.preSettle(visitId: input.path.visitId)
            return .ok(.init(body: .json(try await view(input.path.visitId))))
        }
    }

    package func settleVisit(_ input: Operations.SettleVisit.Input) async throws -> Operations.SettleVisit.Output {
        await answer(Operations.SettleVisit.Output.default) {
            let (outcome, patient) = try await desk.settle(visitId: input.path.visitId)
            return .ok(.init(body: .json(APIViews.settlement(outcome, patient: patient, reveal: input.query.reveal ?? false))))
        }
    }

    package func reverseVisit(_ input: Operations.ReverseVisit.Input) async throws -> Operations.ReverseVisit.Output {
        await answer(Operations.ReverseVisit.Output.default) {
            let visit = try await desk.reverse(visitId: input.path.visitId)
            return .ok(.init(body: .json(APIViews.visit(visit, progress: nil, checkinId: nil))))
        }
    }

    package func createSettlement(_ input: Operations.CreateSettlement.Input) async throws -> Operations.CreateSettlement.Output {
        await answer(Operations.CreateSettlement.Output.default) {
            guard case .json(let r) = input.body else { throw CheckinProblem.invalidRequest("the body must be JSON") }
            let fees = try FeeList(department: APIViews.coded(r.department), doctor: APIViews.coded(r.doctor),
                                   diagnosis: APIViews.coded(r.diagnosis),
                                   diseaseCategory: APIViews.diseaseCategory(r.diseaseCategory),
                                   items: Self.items(r.items)).validated()
            let (outcome, patient) = try await desk.settleAll(checkinId: r.checkinId, fees: fees)
            return .ok(.init(body: .json(APIViews.settlement(outcome, patient: patient, reveal: input.query.reveal ?? false))))
        }
    }

    package func listJournal(_ input: Operations.ListJournal.Input) async throws -> Operations.ListJournal.Output {
        await answer(Operations.ListJournal.Output.default) {
            let limit = input.query.limit ?? 50
            guard (1...500).contains(limit) else { throw CheckinProblem.invalidRequest("limit must be 1 to 500") }
            let journal = box.client.journal
            return await .ok(.init(body: .json(.init(
                visits: try journal.visits(limit: limit).map(APIViews.journalVisit),
                inDoubt: try journal.inDoubtCount(), queued: try journal.count(in: [.queued]),
                needsReview: try journal.visitsNeedingReview().count))))
        }
    }

    package func getCatalogue(_ input: Operations.GetCatalogue.Input) async throws -> Operations.GetCatalogue.Output {
        await answer(Operations.GetCatalogue.Output.default) {
            let general = Components.Schemas.Coded(code: "A03", name: "全科")
            guard let path = settings.catalogue else {
                return .ok(.init(body: .json(.init(department: general, doctor: settings.doctor, items: [], diagnoses: []))))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(code: "CATALOGUE-UNREADABLE", message: "The price list \(path) ([api] catalogue) cannot be read.")
            }
            do {
                return .ok(.init(body: .json(try JSONDecoder().decode(Components.Schemas.Catalogue.self, from: data))))
            } catch {
                throw APIError(code: "CATALOGUE-INVALID", message: "The price list \(path) ([api] catalogue) is not valid: \(error).")
            }
        }
    }

    package func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics.text(state: state.snapshot)))))
    }

    // MARK: Helpers

    func view(_ visitId: Int64) async throws -> Components.Schemas.Visit {
        let visit = try await desk.journalVisit(visitId)
        let session = await desk.session(visitId)
        return APIViews.visit(visit, progress: session?.visit, checkinId: session?.checkinId,
                              feeRows: await desk.feeRows(visitId))
    }

    static func items(_ items: [Components.Schemas.FeeItem]) throws -> [FeeList.Item] {
        guard !items.isEmpty else { throw FeeList.Problem.empty }
        var result: [FeeList.Item] = []
        for (i, item) in items.enumerated() { result.append(try APIViews.feeItem(item, index: i)) }
        return try FeeList(department: .init(code: "-", name: "-"), doctor: .init(code: "-", name: "-"),
                           diagnosis: .init(code: "-", name: "-"), items: result).validated().items
    }
}

/// An API failure that is neither a check-in nor a settlement problem.
struct APIError: TerminalError {
    let code: String
    let message: String
}
