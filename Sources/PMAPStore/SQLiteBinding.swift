import GRDB
import PMAPModel

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// Binds values and steps a prepared statement through SQLite's C API. Ingestion writes
/// millions of rows; GRDB's generic argument conversion was a tenth of its time. Used only
/// for the plain INSERT statements of the write path, inside GRDB's transaction.
enum SQLiteBinding {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `values` (in order) and runs the statement; the first column of the first result
    /// row when it returns one (e.g. `RETURNING rowid`), else nil.
    static func run<Values: Collection>(_ statement: Statement, _ values: Values, in db: Database) throws
        -> Int64?
    where Values.Element == SQLValue {
        var first: Int64?
        try run(statement, values, in: db) { value in
            if first == nil { first = value }
        }
        return first
    }

    /// Binds `values` (in order) and runs the statement, handing the first column of every
    /// result row (e.g. `RETURNING id` of a multi-row insert) to `eachRow`.
    static func run<Values: Collection>(
        _ statement: Statement, _ values: Values, in db: Database, eachRow: (Int64) -> Void
    ) throws where Values.Element == SQLValue {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
        var index: Int32 = 1
        for value in values {
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(raw, index)
            case .integer(let number): code = sqlite3_bind_int64(raw, index, number)
            case .real(let number): code = sqlite3_bind_double(raw, index, number)
            case .text(let text): code = sqlite3_bind_text(raw, index, text, -1, transient)
            }
            guard code == SQLITE_OK else { throw error(code, db) }
            index += 1
        }
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_ROW {
                eachRow(sqlite3_column_int64(raw, 0))
                continue
            }
            guard code == SQLITE_DONE else {
                sqlite3_reset(raw)
                throw error(code, db)
            }
            break
        }
        sqlite3_reset(raw)
    }

    private static func error(_ code: Int32, _ db: Database) -> DatabaseError {
        let message =
            db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error \(code)"
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }
}
