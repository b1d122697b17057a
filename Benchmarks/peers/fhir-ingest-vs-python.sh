#!/usr/bin/env bash
# PMAP's FHIR ingestion against the Python peer loader, in one run on the same export.
#   Benchmarks/peers/fhir-ingest-vs-python.sh [PATIENTS ...]      (default: 1000 10000)
# Builds pmap in release mode, writes a synthetic FHIR export per size, loads it into a fresh
# store with `pmap ingest` and with fhir_python_loader.py (json + sqlite3, executemany per
# file), and prints resources/s, peak RSS and the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product pmap >/dev/null
pmap="$(swift build -c release --show-bin-path)/pmap"
work="${TMPDIR:-/tmp}/pmap-fhir-bench"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
for n in "${sizes[@]}"; do
    rm -rf "$work" && mkdir -p "$work"
    "$pmap" synth --patients "$n" --seed 1 --out "$work/export" --formats fhir >/dev/null
    resources=$(cat "$work"/export/fhir/*.ndjson | wc -l)
    # The first admin's token (printed once by init) acts for the ingest.
    PMAP_TOKEN=$("$pmap" init --store "$work/pmap.sqlite" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["admin"]["token"])')
    export PMAP_TOKEN
    "$pmap" init --store "$work/python.sqlite" --key-file "$work/python.key" >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/pmap.time" "$pmap" ingest --store "$work/pmap.sqlite" --json "$work/export/fhir" >"$work/pmap.json"
    /usr/bin/time -f "%e %M" -o "$work/python.time" python3 Benchmarks/peers/fhir_python_loader.py --store "$work/python.sqlite" "$work/export/fhir" >"$work/python.json"
    read -r pmap_s pmap_kb <"$work/pmap.time"
    read -r py_s py_kb <"$work/python.time"
    python3 - "$n" "$resources" "$pmap_s" "$pmap_kb" "$py_s" "$py_kb" <<'PY'
import sys
n, resources, ps, pk, ys, yk = sys.argv[1:]
resources, ps, pk, ys, yk = int(resources), float(ps), int(pk), float(ys), int(yk)
print(f"{n} patients, {resources} resources: pmap {resources/ps:,.0f}/s ({ps:.1f} s, {pk/1024:.0f} MB peak); "
      f"python {resources/ys:,.0f}/s ({ys:.1f} s, {yk/1024:.0f} MB peak); pmap/python speed {ys/ps:.2f}x")
PY
done
rm -rf "$work"
