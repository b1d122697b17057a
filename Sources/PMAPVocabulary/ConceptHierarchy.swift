import PMAPModel

/// A direct "is a" edge of the concept hierarchy: `child` is a kind of `parent`.
public struct HierarchyEdge: Sendable, Hashable {
    public let parent: ConceptID
    public let child: ConceptID

    public init(parent: ConceptID, child: ConceptID) {
        self.parent = parent
        self.child = child
    }
}

/// One row of OMOP's `concept_ancestor`: `descendant` lies below `ancestor`, between
/// `minLevels` and `maxLevels` steps down (0 for a concept's row with itself).
public struct AncestorRow: Sendable, Hashable {
    public let ancestor: ConceptID
    public let descendant: ConceptID
    public let minLevels: Int
    public let maxLevels: Int

    public init(ancestor: ConceptID, descendant: ConceptID, minLevels: Int, maxLevels: Int) {
        self.ancestor = ancestor
        self.descendant = descendant
        self.minLevels = minLevels
        self.maxLevels = maxLevels
    }
}

/// Builds `concept_ancestor` rows from direct parent → child edges.
public enum ConceptHierarchy {
    /// The transitive closure of `edges`: one row per (ancestor, descendant) pair with the
    /// shortest and longest path between them, plus a level-0 row for every concept in
    /// `selfRowsFor` (OMOP lists each standard concept as its own ancestor).
    ///
    /// Throws when the edges contain a cycle, naming a concept on it.
    public static func closure(of edges: [HierarchyEdge], selfRowsFor: [ConceptID] = []) throws
        -> [AncestorRow]
    {
        var children: [ConceptID: [ConceptID]] = [:]
        var inDegree: [ConceptID: Int] = [:]
        for edge in Set(edges) {
            children[edge.parent, default: []].append(edge.child)
            inDegree[edge.child, default: 0] += 1
            inDegree[edge.parent, default: 0] += 0
        }
        // Kahn's algorithm gives a topological order and detects cycles.
        var ready = inDegree.filter { $0.value == 0 }.map(\.key).sorted()
        var order: [ConceptID] = []
        var remaining = inDegree
        while let node = ready.popLast() {
            order.append(node)
            for child in children[node, default: []] {
                remaining[child]! -= 1
                if remaining[child] == 0 { ready.append(child) }
            }
        }
        if order.count < inDegree.count {
            let onCycle = remaining.filter { $0.value > 0 }.map(\.key).sorted().first!
            throw PMAPError(
                .badInput,
                "the concept hierarchy has a cycle through concept \(onCycle); remove the edge that makes a concept its own ancestor"
            )
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })

        var rows: [AncestorRow] = []
        for ancestor in order where children[ancestor] != nil {
            var shortest: [ConceptID: Int] = [ancestor: 0]
            var longest: [ConceptID: Int] = [ancestor: 0]
            for node in order[position[ancestor]!...] {
                guard let low = shortest[node], let high = longest[node] else { continue }
                for child in children[node, default: []] {
                    shortest[child] = min(shortest[child] ?? .max, low + 1)
                    longest[child] = max(longest[child] ?? 0, high + 1)
                }
            }
            for (descendant, low) in shortest where descendant != ancestor {
                rows.append(
                    AncestorRow(
                        ancestor: ancestor, descendant: descendant, minLevels: low,
                        maxLevels: longest[descendant]!))
            }
        }
        for concept in Set(selfRowsFor) {
            rows.append(AncestorRow(ancestor: concept, descendant: concept, minLevels: 0, maxLevels: 0))
        }
        return rows.sorted { ($0.ancestor, $0.descendant) < ($1.ancestor, $1.descendant) }
    }
}
