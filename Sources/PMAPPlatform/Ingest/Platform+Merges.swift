import Foundation
import PMAPStore

@_exported import struct PMAPStore.PersonMerge

extension Platform {
    /// Every person merge (HL7 ADT^A40), oldest first.
    public func personMerges(_ context: AccessContext) async throws -> [PersonMerge] {
        try await require(context, .viewOperations, auditAction: "merge.list", target: "merges")
        return try await store.personMerges()
    }

    /// Undoes a merge: the moved records, identifiers and person row return to the prior
    /// person; both persons' derived tables are rebuilt.
    public func undoMerge(_ context: AccessContext, id: Int64, reason: String) async throws -> PersonMerge {
        // Undoing a merge re-separates patients: platform admins only.
        try await require(context, .manageUsers, auditAction: "merge.undo", target: "merge \(id)")
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give the reason for undoing the merge with --reason")
        }
        let merge = try await store.write { try $0.undoMerge(id: id, reason: reason) }
        _ = try await rebuildDirtyPersons(includeAllOMOPPersons: [])
        return merge
    }
}
