#!/usr/bin/env bash
# PMAP's HL7 v2 and VCF ingestion, and HL7 against the python-hl7 peer, in one run.
#   Benchmarks/peers/hl7-ingest-vs-python.sh [PATIENTS ...]      (default: 2000 10000)
# Needs python-hl7 in $HL7_PYTHON (default /tmp/hl7-peer/bin/python):
#   python3 -m venv /tmp/hl7-peer && /tmp/hl7-peer/bin/pip install hl7==0.4.5
set -euo pipefail
cd "$(dirname "$0")/../.."
python="${HL7_PYTHON:-/tmp/hl7-peer/bin/python}"
swift build -c release --product pmap >/dev/null
pmap="$(swift build -c release --show-bin-path)/pmap"
work="${TMPDIR:-/tmp}/pmap-hl7-bench"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 10000)
for n in "${sizes[@]}"; do
    rm -rf "$work" && mkdir -p "$work"
    "$pmap" synth --patients "$n" --seed 1 --out "$work/export" --formats hl7v2,vcf >/dev/null
    # The first admin's token (printed once by init) acts for the ingest.
    PMAP_TOKEN=$("$pmap" init --store "$work/pmap.sqlite" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["admin"]["token"])')
    export PMAP_TOKEN
    "$pmap" init --store "$work/python.sqlite" --key-file "$work/python.key" >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/pmap.time" "$pmap" ingest --store "$work/pmap.sqlite" --json "$work/export/hl7v2" >"$work/pmap.json"
    /usr/bin/time -f "%e %M" -o "$work/python.time" "$python" Benchmarks/peers/hl7_python_loader.py --store "$work/python.sqlite" "$work"/export/hl7v2/*.hl7 >"$work/python.json"
    /usr/bin/time -f "%e %M" -o "$work/vcf.time" "$pmap" ingest --store "$work/pmap.sqlite" --json --mrn-system https://hospital.example.org/fhir/sid/mrn "$work/export/vcf" >"$work/vcf.json"
    read -r pmap_s pmap_kb <"$work/pmap.time"
    read -r py_s py_kb <"$work/python.time"
    read -r vcf_s vcf_kb <"$work/vcf.time"
    python3 - "$n" "$work" "$pmap_s" "$pmap_kb" "$py_s" "$py_kb" "$vcf_s" <<'PY'
import json, sys
n, work, ps, pk, ys, yk, vs = sys.argv[1:]
ps, pk, ys, yk, vs = float(ps), int(pk), float(ys), int(yk), float(vs)
report = json.load(open(f"{work}/pmap.json"))
peer = json.load(open(f"{work}/python.json"))
vcf = json.load(open(f"{work}/vcf.json"))
messages = report["read"]
assert report["loaded"] == messages == peer["messages"], (report["read"], peer["messages"])
samples = vcf["rows_by_table"].get("pmap_genomic_variant", 0)
print(f"{n} patients, {messages} HL7 messages: pmap {messages/ps:,.0f}/s ({ps:.1f} s, {pk/1024:.0f} MB peak); "
      f"python-hl7 {messages/ys:,.0f}/s ({ys:.1f} s, {yk/1024:.0f} MB peak); pmap/python speed {ys/ps:.2f}x; "
      f"VCF {vcf['read']} lines ({samples} variant rows) in {vs:.2f} s")
PY
done
rm -rf "$work"
