/// Rows for one table, column-aligned: what importers hand to a store to write.
public struct TableRows: Sendable {
    /// The table's name (a CDM table or a `pmap_` extension table).
    public let table: String
    /// Column names; every row has one value per column, in this order.
    public let columns: [String]
    /// The rows.
    public var rows: [[SQLValue]]

    public init(table: String, columns: [String], rows: [[SQLValue]] = []) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
