/// A table of counts with its margins, before disclosure control.
public struct CountTable: Sendable, Equatable {
    public var cells: [[Int]]
    public var rowTotals: [Int]
    public var columnTotals: [Int]
    public var grandTotal: Int

    /// A table whose totals are the sums of its cells.
    public init(cells: [[Int]]) {
        self.cells = cells
        rowTotals = cells.map { $0.reduce(0, +) }
        let width = cells.map(\.count).max() ?? 0
        columnTotals = (0..<width).map { column in
            cells.reduce(0) { $0 + ($1.indices.contains(column) ? $1[column] : 0) }
        }
        grandTotal = rowTotals.reduce(0, +)
    }
}

/// A table of counts as shown: small cells suppressed, and enough others that no suppressed
/// value can be worked out from the visible cells and totals.
public struct DisclosedTable: Sendable, Equatable {
    public var cells: [[DisclosedCount]]
    public var rowTotals: [DisclosedCount]
    public var columnTotals: [DisclosedCount]
    public var grandTotal: DisclosedCount
}

/// Complementary suppression, the one component every table of counts goes through.
///
/// The table with its margins is an (R+1)×(C+1) grid in which every row and every column is an
/// equation (cells sum to the total). First every count from 1 to the threshold is suppressed
/// (primary). Then, while some equation holds exactly one suppressed entry (which subtraction
/// would reveal), a second entry of that equation is suppressed too: the smallest visible
/// non-zero cell, else the smallest visible cell, else the total. Zeros stay visible unless
/// needed. Equations with two or more unknowns leave each unknown undetermined; the tests check
/// this with a rank computation over random tables.
public enum ComplementarySuppression {
    public static func disclose(_ table: CountTable, threshold: Int = DisclosureControl.defaultThreshold)
        -> DisclosedTable
    {
        let rows = table.cells.count
        let columns = table.columnTotals.count
        // The grid: cells, then the row totals as a last column, the column totals (and the grand
        // total) as a last row.
        var grid: [[Int]] = table.cells.enumerated().map { index, row in
            (0..<columns).map { row.indices.contains($0) ? row[$0] : 0 } + [table.rowTotals[index]]
        }
        grid.append(table.columnTotals + [table.grandTotal])
        var hidden = grid.map { $0.map { $0 >= 1 && $0 <= threshold } }
        var changed = true
        while changed {
            changed = false
            // Each row equation (including the totals row) and each column equation.
            let equations: [[(Int, Int)]] =
                (0...rows).map { r in (0...columns).map { (r, $0) } }
                + (0...columns).map { c in (0...rows).map { ($0, c) } }
            for members in equations {
                let unknown = members.filter { hidden[$0.0][$0.1] }
                guard unknown.count == 1 else { continue }
                let visible = members.filter { !hidden[$0.0][$0.1] }
                // The total is the member on the last row or column of this equation.
                let candidates = visible.filter { $0.0 < rows && $0.1 < columns }
                let pick =
                    candidates.filter { grid[$0.0][$0.1] > 0 }.min { grid[$0.0][$0.1] < grid[$1.0][$1.1] }
                    ?? candidates.min { grid[$0.0][$0.1] < grid[$1.0][$1.1] } ?? visible.first
                if let pick {
                    hidden[pick.0][pick.1] = true
                    changed = true
                }
            }
        }
        // Equations can combine: an unknown may follow from several equations together (a
        // rectangle of hidden cells with one corner pinned by others). While some hidden entry
        // is determined by the system, hide a further entry of an equation it belongs to.
        while let pinned = firstDetermined(hidden, rows: rows, columns: columns) {
            let (r, c) = pinned
            let options = ((0...columns).map { (r, $0) } + (0...rows).map { ($0, c) }).filter {
                !hidden[$0.0][$0.1]
            }
            let inner = options.filter { $0.0 < rows && $0.1 < columns }
            guard
                let pick = inner.filter({ grid[$0.0][$0.1] > 0 }).min(by: {
                    grid[$0.0][$0.1] < grid[$1.0][$1.1]
                })
                    ?? inner.min(by: { grid[$0.0][$0.1] < grid[$1.0][$1.1] }) ?? options.first
            else { break }
            hidden[pick.0][pick.1] = true
        }
        // Small cells read "<11"; cells hidden only to protect others read "*" (they may be large).
        func shown(_ r: Int, _ c: Int) -> DisclosedCount {
            guard hidden[r][c] else { return DisclosureControl.count(grid[r][c], threshold: 0) }
            return NestedCountsDisclosure.hidden(grid[r][c], threshold: threshold)
        }
        return DisclosedTable(
            cells: (0..<rows).map { r in (0..<columns).map { shown(r, $0) } },
            rowTotals: (0..<rows).map { shown($0, columns) },
            columnTotals: (0..<columns).map { shown(rows, $0) },
            grandTotal: shown(rows, columns))
    }

    /// The first hidden entry whose value follows from the row and column equations and the
    /// visible entries, if any (Gaussian elimination on the equations' coefficients, −1/0/1).
    static func firstDetermined(_ hidden: [[Bool]], rows: Int, columns: Int) -> (Int, Int)? {
        var position: [(Int, Int)] = []
        var index = [[Int?]](repeating: [Int?](repeating: nil, count: columns + 1), count: rows + 1)
        for r in 0...rows {
            for c in 0...columns where hidden[r][c] {
                index[r][c] = position.count
                position.append((r, c))
            }
        }
        let unknowns = position.count
        guard unknowns > 0 else { return nil }
        var equations: [[Double]] = []
        for r in 0...rows {
            var row = [Double](repeating: 0, count: unknowns)
            for c in 0...columns { if let i = index[r][c] { row[i] += c == columns ? -1 : 1 } }
            equations.append(row)
        }
        for c in 0...columns {
            var column = [Double](repeating: 0, count: unknowns)
            for r in 0...rows { if let i = index[r][c] { column[i] += r == rows ? -1 : 1 } }
            equations.append(column)
        }
        // Reduced row echelon form; an unknown is determined when some reduced row has it as
        // its only non-zero coefficient.
        var m = equations
        var pivotRow = 0
        for column in 0..<unknowns where pivotRow < m.count {
            guard let pivot = (pivotRow..<m.count).first(where: { abs(m[$0][column]) > 1e-9 }) else {
                continue
            }
            m.swapAt(pivotRow, pivot)
            let lead = m[pivotRow][column]
            for k in 0..<unknowns { m[pivotRow][k] /= lead }
            for row in 0..<m.count where row != pivotRow && abs(m[row][column]) > 1e-9 {
                let factor = m[row][column]
                for k in 0..<unknowns { m[row][k] -= factor * m[pivotRow][k] }
            }
            pivotRow += 1
        }
        for row in m {
            let nonZero = row.indices.filter { abs(row[$0]) > 1e-9 }
            if nonZero.count == 1 { return position[nonZero[0]] }
        }
        return nil
    }
}
