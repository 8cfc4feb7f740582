import Foundation
import GRDB

/// What the settlement sheet (Sources/Receipt) reads: a visit by its settlement id, and the
/// 1101 answers around a visit (the patient's name when a core's 2207 answer leaves it out).
extension Journal {
    /// The visit a settlement id belongs to (the newest, should a core ever reuse one).
    /// `setl_id` is not personal data: it is never sealed, so it is found by SQL.
    package func visit(setlId: String) async throws(SettlementError) -> JournalVisit? {
        try await read { [self] db in
            try JournalVisit.filter(Column("setl_id") == setlId).order(Column("id").desc).fetchOne(db)
                .map { try opened($0, db) }
        }
    }

    /// Messages of one transaction created between two instants (seconds since 1970),
    /// newest first, opened.
    package func messages(infno: String, createdFrom start: Double, to end: Double,
                          limit: Int = 20) async throws(SettlementError) -> [JournalMessage] {
        try await read { [self] db in
            try JournalMessage.filter(Column("infno") == infno && Column("created_at") >= start && Column("created_at") <= end)
                .order(Column("created_at").desc, Column("msgid").desc).limit(limit).fetchAll(db)
                .map { try opened($0, db) }
        }
    }
}
