import Foundation
import PMAPStore

@_exported import struct PMAPStore.PersonMerge

extension Platform {
    /// Every person merge (HL7 ADT^A40), oldest first.
    public func personMerges() async throws -> [PersonMerge] {
        try await store.personMerges()
    }

    /// Undoes a merge: the moved records, identifiers and person row return to the prior
    /// person; both persons' derived tables are rebuilt.
    public func undoMerge(id: Int64, reason: String) async throws -> PersonMerge {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give the reason for undoing the merge with --reason")
        }
        let merge = try await store.write { try $0.undoMerge(id: id, reason: reason) }
        _ = try await rebuildDirtyPersons(includeAllOMOPPersons: [])
        return merge
    }
}
