#!/usr/bin/env python3
"""Runs the SQL PMAP compiles a cohort to, outside PMAP, and times it.

Two engines, same statements, same order as PMAP's SQLiteStore.generateCohort: the
statements, the entries/subjects count, the inclusion-mask query, the cleanup.

  duckdb:  an in-process DuckDB database loaded (untimed) from OMOP CSV files, then the
           PostgreSQL-dialect SQL of `pmap cohort sql --dialect postgresql --json` (timed).
  sqlite:  Python's sqlite3 on a copy of a PMAP store, with the SQLite-dialect SQL of
           `pmap cohort sql --dialect sqlite --json`: PMAP's own SQL with no process start,
           governance, audit or generation record around it.

  cohort_duckdb_runner.py duckdb --cdm DIR [--vocab-store S.sqlite] [--threads N] [--repeat R] NAME=SQL.json ...
  cohort_duckdb_runner.py sqlite --store COPY.sqlite [--repeat R] NAME=SQL.json ...

Prints one JSON line per cohort: {"engine", "cohort", "entries", "subjects", "seconds"
(the fastest of --repeat runs), "runs": [...], "statements": [[sql start, seconds], ...] of
the fastest run}, and a first line {"load_seconds": ...} for
duckdb. SQL files hold {"statements": [{"sql": ..., "arguments": [...]}]} as `pmap cohort
sql --json` prints them; the cohort id baked into them is read back from the DELETE
statement.

Adaptations of PMAP's SQL for DuckDB: none are needed for the definitions benchmarked here;
ADAPTATIONS below is where any would go, and each one is printed with the results.
"""
import argparse
import csv
import json
import os
import re
import sqlite3
import sys
import tempfile
import time

# The CDM tables the cohort SQL may read. Anything not in the CSV folder is taken from
# --vocab-store (a PMAP store) or created empty.
TABLES = [
    "person", "observation_period", "drug_era", "drug_exposure", "condition_occurrence",
    "condition_era", "measurement", "procedure_occurrence", "observation", "visit_occurrence",
    "death", "concept", "concept_ancestor", "concept_relationship",
]
VARCHAR_IDS = {"vocabulary_id", "domain_id", "concept_class_id", "relationship_id",
               "invalid_reason", "standard_concept"}
DOUBLES = {"value_as_number", "range_low", "range_high", "quantity", "dose_value"}

# (pattern, replacement, why) applied to the PostgreSQL-dialect SQL before DuckDB runs it.
ADAPTATIONS: list = []


def column_type(name: str) -> str:
    if name in VARCHAR_IDS:
        return "VARCHAR"
    if name.endswith("_datetime"):
        return "TIMESTAMP"
    if name.endswith("_date"):
        return "DATE"
    if name in DOUBLES:
        return "DOUBLE"
    if name.endswith("_id") or name in {
        "year_of_birth", "month_of_birth", "day_of_birth", "refills", "days_supply", "gap_days",
        "drug_exposure_count", "condition_occurrence_count", "min_levels_of_separation",
        "max_levels_of_separation", "dose_era_id",
    }:
        return "BIGINT"
    return "VARCHAR"


def cast(name: str, kind: str) -> str:
    q = f'NULLIF(TRIM("{name}"), \'\')'
    if kind == "DATE":
        return (f"COALESCE(TRY_CAST({q} AS DATE), TRY_CAST(TRY_STRPTIME({q}, '%Y%m%d') AS DATE))"
                f' AS "{name}"')
    if kind == "TIMESTAMP":
        return f'TRY_CAST({q} AS TIMESTAMP) AS "{name}"'
    if kind == "VARCHAR":
        return f'"{name}"'
    return f'CAST({q} AS {kind}) AS "{name}"'


def load_csv(con, table: str, path: str):
    literal = "'" + path.replace("'", "''") + "'"
    con.execute(
        f"CREATE TEMP VIEW raw AS SELECT * FROM read_csv({literal}, header=true, all_varchar=true, "
        f"quote='\"', escape='\"')")
    columns = [row[0] for row in con.execute("DESCRIBE raw").fetchall()]
    select = ", ".join(cast(c, column_type(c)) for c in columns)
    con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM raw")
    con.execute("DROP VIEW raw")


def load_duckdb(con, cdm: str, vocab_store: str | None) -> dict:
    loaded = {}
    for table in TABLES:
        path = os.path.join(cdm, table + ".csv")
        if os.path.exists(path):
            load_csv(con, table, path)
            loaded[table] = "csv"
        elif vocab_store:
            # Tables the CSV folder lacks (the vocabulary of a `pmap synth` export, which PMAP
            # holds in the store) come from the PMAP store itself, through a CSV dump (DuckDB's
            # sqlite extension needs a download).
            dump = os.path.join(tempfile.mkdtemp(), table + ".csv")
            source = sqlite3.connect(vocab_store)
            cursor = source.execute(f"SELECT * FROM {table}")
            with open(dump, "w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow([d[0] for d in cursor.description])
                writer.writerows(cursor)
            source.close()
            load_csv(con, table, dump)
            os.remove(dump)
            loaded[table] = "store"
        else:
            loaded[table] = "missing"
    con.execute("CREATE TABLE IF NOT EXISTS cohort (cohort_definition_id BIGINT, subject_id BIGINT, "
                "cohort_start_date DATE, cohort_end_date DATE)")
    con.execute("CREATE TABLE IF NOT EXISTS pmap_consent (person_id BIGINT, research_opt_out INTEGER)")
    for table, source in loaded.items():
        if source == "missing":
            # Only tables no cohort here reads; an empty table keeps a definition that names
            # one runnable.
            con.execute(f"CREATE TABLE {table} (person_id BIGINT)")
    return loaded


def cohort_id(statements) -> int:
    for s in statements:
        if re.match(r"\s*DELETE FROM cohort WHERE cohort_definition_id", s["sql"]):
            return int(s["arguments"][0])
    raise SystemExit("no DELETE FROM cohort statement")


def run_once(execute, fetch, begin, commit, statements, cid):
    """One generation as SQLiteStore.generateCohort does it, in one transaction where the
    engine is SQLite (DuckDB autocommits each statement); returns (seconds, entries,
    subjects, masks)."""
    # The JSON lists the statements, then the mask query, then 7 DROPs (one per temporary table).
    drops = [s for s in statements if s["sql"].startswith("DROP TABLE IF EXISTS")]
    mask_index = len(statements) - len(drops) - 1
    body, mask, cleanup = statements[:mask_index], statements[mask_index], statements[mask_index + 1:]
    start = time.perf_counter()
    begin()
    steps = []
    for s in body:
        step = time.perf_counter()
        execute(s["sql"], s["arguments"])
        steps.append((" ".join(s["sql"].split())[:70], round(time.perf_counter() - step, 4)))
    entries, subjects = fetch(
        "SELECT count(*), count(DISTINCT subject_id) FROM cohort WHERE cohort_definition_id = ?", [cid])[0]
    masks = fetch(mask["sql"], mask["arguments"])
    for s in cleanup:
        execute(s["sql"], s["arguments"])
    commit()
    return time.perf_counter() - start, entries, subjects, masks, steps


def adapt(sql: str) -> str:
    for pattern, replacement, _ in ADAPTATIONS:
        sql = re.sub(pattern, replacement, sql)
    return sql


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["duckdb", "sqlite"])
    parser.add_argument("--cdm")
    parser.add_argument("--vocab-store")
    parser.add_argument("--store")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("cohorts", nargs="+", help="NAME=SQL.json")
    args = parser.parse_args()

    if args.engine == "duckdb":
        import duckdb
        con = duckdb.connect(":memory:")
        if args.threads:
            con.execute(f"SET threads = {args.threads}")
        start = time.perf_counter()
        loaded = load_duckdb(con, args.cdm, args.vocab_store)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in loaded}
        print(json.dumps({"engine": "duckdb", "duckdb_version": duckdb.__version__,
                          "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
                          "load_seconds": round(time.perf_counter() - start, 3), "tables": loaded,
                          "rows": counts, "adaptations": [a[2] for a in ADAPTATIONS]}), flush=True)

        def execute(sql, arguments):
            con.execute(adapt(sql), arguments)

        def fetch(sql, arguments):
            return con.execute(adapt(sql), arguments).fetchall()

        def begin():
            pass

        commit = begin
    else:
        con = sqlite3.connect(args.store, isolation_level=None)
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("PRAGMA synchronous = NORMAL")
        print(json.dumps({"engine": "sqlite", "sqlite_version": sqlite3.sqlite_version}), flush=True)

        def execute(sql, arguments):
            con.execute(sql, arguments)

        def fetch(sql, arguments):
            return con.execute(sql, arguments).fetchall()

        # PMAP runs the generation in one write transaction.
        def begin():
            con.execute("BEGIN IMMEDIATE")

        def commit():
            con.execute("COMMIT")

    for item in args.cohorts:
        name, path = item.split("=", 1)
        statements = json.load(open(path))["statements"]
        cid = cohort_id(statements)
        runs = []
        for _ in range(args.repeat):
            seconds, entries, subjects, masks, steps = run_once(execute, fetch, begin, commit, statements, cid)
            if not runs or seconds < min(runs):
                fastest_steps = steps
            runs.append(round(seconds, 4))
        print(json.dumps({"engine": args.engine, "cohort": name, "entries": entries, "subjects": subjects,
                          "masks": {str(m): n for m, n in masks}, "seconds": min(runs), "runs": runs,
                          "statements": fastest_steps}),
              flush=True)


if __name__ == "__main__":
    main()
