import PMAPModel
import Testing

@testable import PMAPVocabulary

struct ConceptHierarchyTests {
    /// A → B → C and A → C directly: C is one step from A by the short path, two by the long.
    @Test func closureRecordsShortestAndLongestPaths() throws {
        let edges = [
            HierarchyEdge(parent: 1, child: 2), HierarchyEdge(parent: 2, child: 3),
            HierarchyEdge(parent: 1, child: 3),
            HierarchyEdge(parent: 3, child: 4),
        ]
        let rows = try ConceptHierarchy.closure(of: edges)
        func row(_ a: ConceptID, _ d: ConceptID) -> AncestorRow? {
            rows.first { $0.ancestor == a && $0.descendant == d }
        }
        #expect(row(1, 2) == AncestorRow(ancestor: 1, descendant: 2, minLevels: 1, maxLevels: 1))
        #expect(row(1, 3) == AncestorRow(ancestor: 1, descendant: 3, minLevels: 1, maxLevels: 2))
        #expect(row(1, 4) == AncestorRow(ancestor: 1, descendant: 4, minLevels: 2, maxLevels: 3))
        #expect(row(2, 4) == AncestorRow(ancestor: 2, descendant: 4, minLevels: 2, maxLevels: 2))
        #expect(row(4, 1) == nil)
        #expect(rows.count == 6)
    }

    @Test func selfRowsAreAddedAtLevelZero() throws {
        let rows = try ConceptHierarchy.closure(
            of: [HierarchyEdge(parent: 1, child: 2)], selfRowsFor: [1, 2])
        #expect(rows.contains(AncestorRow(ancestor: 1, descendant: 1, minLevels: 0, maxLevels: 0)))
        #expect(rows.contains(AncestorRow(ancestor: 2, descendant: 2, minLevels: 0, maxLevels: 0)))
        #expect(rows.count == 3)
    }

    @Test func cycleIsRefusedNamingAConcept() {
        let edges = [
            HierarchyEdge(parent: 1, child: 2), HierarchyEdge(parent: 2, child: 3),
            HierarchyEdge(parent: 3, child: 2),
        ]
        #expect {
            _ = try ConceptHierarchy.closure(of: edges)
        } throws: { error in
            "\(error)".contains("cycle through concept 2")
        }
    }
}
