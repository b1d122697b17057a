import Testing

@testable import PMAPGovernance

/// No suppressed cell of a disclosed table can be worked out from what is shown.
struct ComplementarySuppressionTests {
    /// Whether hidden entry `target` is determined by the row and column equations, given the
    /// visible values: true when its unit vector lies in the row space of the equations
    /// restricted to the hidden unknowns (Gaussian elimination over doubles on small integers).
    static func determined(_ target: Int, equations: [[Int]], unknowns: Int) -> Bool {
        func rank(_ matrix: [[Double]]) -> Int {
            var m = matrix
            var rank = 0
            for column in 0..<unknowns {
                guard let pivot = (rank..<m.count).first(where: { abs(m[$0][column]) > 1e-9 }) else {
                    continue
                }
                m.swapAt(rank, pivot)
                for row in 0..<m.count where row != rank && abs(m[row][column]) > 1e-9 {
                    let factor = m[row][column] / m[rank][column]
                    for k in 0..<unknowns { m[row][k] -= factor * m[rank][k] }
                }
                rank += 1
            }
            return rank
        }
        let system = equations.map { $0.map(Double.init) }
        var unit = [Double](repeating: 0, count: unknowns)
        unit[target] = 1
        return rank(system + [unit]) == rank(system)
    }

    static func check(_ table: CountTable, _ shown: DisclosedTable, threshold: Int) {
        let rows = table.cells.count
        let columns = table.columnTotals.count
        var grid = table.cells.enumerated().map { $0.element + [table.rowTotals[$0.offset]] }
        grid.append(table.columnTotals + [table.grandTotal])
        var visible = shown.cells.enumerated().map { $0.element + [shown.rowTotals[$0.offset]] }
        visible.append(shown.columnTotals + [shown.grandTotal])
        var index: [[Int?]] = Array(repeating: Array(repeating: nil, count: columns + 1), count: rows + 1)
        var unknowns = 0
        for r in 0...rows {
            for c in 0...columns where visible[r][c].suppressed {
                index[r][c] = unknowns
                unknowns += 1
            }
            for c in 0...columns where !visible[r][c].suppressed {
                #expect(visible[r][c].count == grid[r][c], "visible values are exact")
                #expect(!(1...threshold).contains(grid[r][c]), "a small count is visible")
            }
        }
        guard unknowns > 0 else { return }
        // Row equations: cells − total = 0; column equations likewise.
        var equations: [[Int]] = []
        for r in 0...rows {
            var row = [Int](repeating: 0, count: unknowns)
            for c in 0...columns { if let i = index[r][c] { row[i] += c == columns ? -1 : 1 } }
            equations.append(row)
        }
        for c in 0...columns {
            var column = [Int](repeating: 0, count: unknowns)
            for r in 0...rows { if let i = index[r][c] { column[i] += r == rows ? -1 : 1 } }
            equations.append(column)
        }
        for target in 0..<unknowns {
            #expect(
                !determined(target, equations: equations, unknowns: unknowns),
                "a suppressed value can be solved")
        }
    }

    @Test func aSmallCellBesideTotalsIsProtectedByASecondOne() {
        let table = CountTable(cells: [[60, 57, 3], [40, 44, 90]])
        let shown = ComplementarySuppression.disclose(table)
        #expect(shown.cells[0][2].display == "<11")
        #expect(
            shown.cells.flatMap { $0 }.filter(\.suppressed).count >= 4, "row and column both need a partner")
        #expect(shown.cells[0][0].suppressed == false || shown.cells[0][1].suppressed)
        Self.check(table, shown, threshold: 10)
    }

    @Test func randomTablesNeverLeaveASuppressedCellSolvable() {
        var random = SystemRandomNumberGenerator()
        _ = random
        var state: UInt64 = 20_261_129
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<300 {
            let rows = 1 + next(5)
            let columns = 1 + next(5)
            let cells = (0..<rows).map { _ in (0..<columns).map { _ in [0, 2, 5, 9, 12, 30, 140][next(7)] } }
            let table = CountTable(cells: cells)
            Self.check(table, ComplementarySuppression.disclose(table), threshold: 10)
        }
    }

    @Test func aTableWithoutSmallCellsIsShownWhole() {
        let table = CountTable(cells: [[120, 0], [57, 60]])
        let shown = ComplementarySuppression.disclose(table)
        #expect(shown.cells.flatMap { $0 }.allSatisfy { !$0.suppressed } && !shown.grandTotal.suppressed)
    }
}
