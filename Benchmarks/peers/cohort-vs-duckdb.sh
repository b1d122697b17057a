#!/usr/bin/env bash
# PMAP's cohort generation against DuckDB running the same SQL on the same data, in one run.
#   Benchmarks/peers/cohort-vs-duckdb.sh [PATIENTS]        (default: 100000 synthetic patients)
# Cohorts: the four Eunomia GiBleed definitions on Eunomia ($EUNOMIA, default
# /work/shared/data/eunomia-gibleed: cdm/*.csv and cohorts/*.json), and
# every definition in Benchmarks/peers/cohorts/ (simple, temporal, nested, measurement values,
# custom era) on a `pmap synth --seed 1` population.
# Needs DuckDB in $DUCKDB_PYTHON (default /tmp/duck/bin/python):
#   python3 -m venv /tmp/duck && /tmp/duck/bin/pip install duckdb
# Per cohort:
#   - pmap: wall time of `pmap cohort create` (release build, /usr/bin/time), twice (the
#     second run generates the same definition again as a new cohort);
#   - pmap SQL only: PMAP's SQLite-dialect SQL (`pmap cohort sql --dialect sqlite --json`) run by
#     Python's sqlite3 on a copy of the store, in one transaction, fastest of 3;
#   - DuckDB: the PostgreSQL-dialect SQL (`pmap cohort sql --dialect postgresql --json`) in an
#     in-process DuckDB database loaded (untimed) from the same CSV files, fastest of 3.
# Row counts (entries, subjects) must agree across all three; the table printed at the end is
# the one in Benchmarks/RESULTS.md. Writes nothing outside $work (results in $work/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
python="${DUCKDB_PYTHON:-/tmp/duck/bin/python}"
eunomia="${EUNOMIA:-/work/shared/data/eunomia-gibleed}"
patients="${1:-100000}"
# PMAP_BIN: a release `pmap` built beforehand (e.g. while a debug build holds .build).
if [ -n "${PMAP_BIN:-}" ]; then
    pmap=$PMAP_BIN
else
    swift build -c release --product pmap >/dev/null
    pmap="$(swift build -c release --show-bin-path)/pmap"
fi
runner="Benchmarks/peers/cohort_duckdb_runner.py"
work="${TMPDIR:-/tmp}/pmap-cohort-bench"
rm -rf "$work" && mkdir -p "$work"
results="$work/results.jsonl"
: >"$results"

field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

# A store with the governance a cohort needs: a researcher in project P with a tier-A grant.
# Sets PMAP_TOKEN to the researcher's token.
governed_store() {
    local store=$1 admin lead
    admin=$("$pmap" init --store "$store" --json | field admin.token)
    echo "$admin" >"$store.admin-token"
    PMAP_TOKEN=$admin "$pmap" user add r --role researcher --store "$store" --json | field token >"$store.r-token"
    lead=$(PMAP_TOKEN=$admin "$pmap" user add lead --role center-lead --store "$store" --json | field token)
    PMAP_TOKEN=$admin "$pmap" center add C --store "$store" --json >/dev/null
    PMAP_TOKEN=$admin "$pmap" center add-member 1 lead --store "$store" >/dev/null
    PMAP_TOKEN=$lead "$pmap" project create P --center 1 --pi lead --purpose bench --store "$store" >/dev/null
    PMAP_TOKEN=$admin "$pmap" project irb P --number I --approved 2026-01-01 --expires 2027-12-31 \
        --personnel lead,r --store "$store" >/dev/null
    PMAP_TOKEN=$lead "$pmap" project add-member P r --store "$store" >/dev/null
    PMAP_TOKEN=$(cat "$store.r-token") "$pmap" request submit --project P \
        --domains conditions,drugs,measurements,procedures,observations --level aggregate \
        --until 2027-12-31 --store "$store" >/dev/null
}

# bench DATASET CSV_DIR VOCAB_STORE_OR_EMPTY STORE DEFINITION...
bench() {
    local dataset=$1 cdm=$2 vocab=$3 store=$4
    shift 4
    local token duck=() lite=() n=0
    token=$(cat "$store.r-token")
    for definition in "$@"; do
        local name
        name=$(basename "$definition" .json)
        n=$((n + 1))
        PMAP_TOKEN=$token "$pmap" cohort check --json "$definition" >/dev/null
        "$pmap" cohort sql "$definition" --dialect postgresql --json --cohort-id 1 >"$work/$dataset-$name.pg.json"
        "$pmap" cohort sql "$definition" --dialect sqlite --json --cohort-id $((9000 + n)) >"$work/$dataset-$name.sqlite.json"
        for run in 1 2; do
            PMAP_TOKEN=$token /usr/bin/time -f "%e %M" -o "$work/time" \
                "$pmap" cohort create "$definition" --project P --name "$name-$run" --store "$store" --json \
                >"$work/$dataset-$name.pmap$run.json"
            read -r seconds kb <"$work/time"
            python3 - "$dataset" "$name" "$run" "$seconds" "$kb" "$work/$dataset-$name.pmap$run.json" >>"$results" <<'PY'
import json, sys
dataset, name, run, seconds, kb, path = sys.argv[1:]
r = json.load(open(path))
print(json.dumps({"engine": "pmap", "dataset": dataset, "cohort": name, "run": int(run),
                  "seconds": float(seconds), "peak_rss_mb": int(kb) / 1024,
                  "entries": r["entries"]["count"], "subjects": r["subjects"]["count"]}))
PY
        done
        duck+=("$name=$work/$dataset-$name.pg.json")
        lite+=("$name=$work/$dataset-$name.sqlite.json")
    done
    # PMAP's SQL alone: Python's sqlite3 on a consistent copy of the store.
    python3 -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' \
        "$store" "$work/copy.sqlite"
    "$python" "$runner" sqlite --store "$work/copy.sqlite" "${lite[@]}" \
        | python3 -c 'import json,sys
for line in sys.stdin:
    r=json.loads(line); r["dataset"]=sys.argv[1]; print(json.dumps(r))' "$dataset" >>"$results"
    rm -f "$work/copy.sqlite"
    "$python" "$runner" duckdb --cdm "$cdm" ${vocab:+--vocab-store "$vocab"} "${duck[@]}" \
        | python3 -c 'import json,sys
for line in sys.stdin:
    r=json.loads(line); r["dataset"]=sys.argv[1]; print(json.dumps(r))' "$dataset" >>"$results"
}

# Eunomia GiBleed.
governed_store "$work/eunomia.sqlite"
/usr/bin/time -f "%e" -o "$work/ingest.time" \
    env PMAP_TOKEN="$(cat "$work/eunomia.sqlite.admin-token")" "$pmap" ingest --store "$work/eunomia.sqlite" "$eunomia/cdm" >/dev/null
echo "{\"engine\": \"ingest\", \"dataset\": \"eunomia\", \"seconds\": $(cat "$work/ingest.time")}" >>"$results"
bench eunomia "$eunomia/cdm" "" "$work/eunomia.sqlite" "$eunomia"/cohorts/*.json

# Synthetic population; its vocabulary lives in the PMAP store, not in the export, so DuckDB
# takes concept, concept_ancestor and concept_relationship from the store.
"$pmap" synth --patients "$patients" --seed 1 --out "$work/synth" --formats omop-csv >/dev/null
governed_store "$work/synth.sqlite"
/usr/bin/time -f "%e %M" -o "$work/ingest.time" \
    env PMAP_TOKEN="$(cat "$work/synth.sqlite.admin-token")" "$pmap" ingest --store "$work/synth.sqlite" --json \
    "$work/synth/omop" >"$work/synth-ingest.json"
read -r seconds kb <"$work/ingest.time"
rows=$(field read <"$work/synth-ingest.json")
echo "{\"engine\": \"ingest\", \"dataset\": \"synth-$patients\", \"seconds\": $seconds, \"rows\": $rows, \"peak_rss_mb\": $((kb / 1024))}" >>"$results"
bench "synth-$patients" "$work/synth/omop" "$work/synth.sqlite" "$work/synth.sqlite" \
    Benchmarks/peers/cohorts/*.json

# The stores and the export are large (about 3 GB at 20k patients); KEEP=1 keeps them.
[ -n "${KEEP:-}" ] || rm -rf "$work/synth" "$work"/*.sqlite*

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    if r.get("engine") in ("ingest",) or "load_seconds" in r or "sqlite_version" in r:
        print(json.dumps(r))
pm = {(r["dataset"], r["cohort"], r["run"]): r for r in rows if r.get("engine") == "pmap"}
lite = {(r["dataset"], r["cohort"]): r for r in rows if r.get("engine") == "sqlite" and "cohort" in r}
duck = {(r["dataset"], r["cohort"]): r for r in rows if r.get("engine") == "duckdb" and "cohort" in r}
print("| data | cohort | entries / subjects | pmap cohort create (1st, 2nd) | PMAP SQL only (sqlite3) | DuckDB | create ÷ DuckDB | SQL only ÷ DuckDB |")
print("|---|---|---|---|---|---|---|---|")
ok = True
for (dataset, cohort), d in duck.items():
    p1, p2, s = pm[(dataset, cohort, 1)], pm[(dataset, cohort, 2)], lite[(dataset, cohort)]
    counts = {(p1["entries"], p1["subjects"]), (p2["entries"], p2["subjects"]),
              (s["entries"], s["subjects"]), (d["entries"], d["subjects"])}
    same = len(counts) == 1
    ok &= same
    best = min(p1["seconds"], p2["seconds"])
    print(f"| {dataset} | {cohort} | {d['entries']:,} / {d['subjects']:,}{'' if same else ' MISMATCH ' + str(counts)} "
          f"| {p1['seconds']:.2f} s, {p2['seconds']:.2f} s | {s['seconds']*1000:,.1f} ms | {d['seconds']*1000:,.1f} ms "
          f"| {best / d['seconds']:,.1f}× | {s['seconds'] / d['seconds']:,.2f}× |")
sys.exit(0 if ok else 1)
PY
