#!/usr/bin/env python3
"""Validate one fixed-seed `pmap synth` output with independent tools and record the result.

Checks every FHIR resource with fhir.resources 6.1.0 (FHIR R4 4.0.1 models, PyPI), every HL7 v2
message with python-hl7 0.4.5 (PyPI), and the VCF's structure; writes a JSON report holding the
output's manifest hash, which `SynthValidationTests` compares with a fresh run of the same seed.

    python3 -m venv .venv-validate && .venv-validate/bin/pip install "fhir.resources==6.1.0" "pydantic<2" hl7==0.4.5
    swift run pmap synth --patients 100 --seed 20261129 --out /tmp/pmap-validate \
        --formats fhir,hl7v2,vcf,csv,omop-csv
    .venv-validate/bin/python scripts/validate-synth-output.py /tmp/pmap-validate \
        Tests/PMAPSynthTests/Fixtures/synth-validation-report.json
"""
import hashlib
import json
import os
import sys

import fhir.resources
import hl7
from fhir.resources import construct_fhir_element

folder, report_path = sys.argv[1], sys.argv[2]
errors = []


def manifest_hash(root):
    lines = []
    for base, _, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
            lines.append((os.path.relpath(path, root), digest))
    manifest = "".join(f"{digest}  {path}\n" for path, digest in sorted(lines))
    return hashlib.sha256(manifest.encode()).hexdigest()


fhir_counts = {}
for name in sorted(os.listdir(os.path.join(folder, "fhir"))):
    resource_type = name.removesuffix(".ndjson")
    valid = 0
    with open(os.path.join(folder, "fhir", name), encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                construct_fhir_element(resource_type, json.loads(line))
                valid += 1
            except Exception as error:  # noqa: BLE001 - every failure goes into the report
                errors.append(f"fhir/{name}:{number}: {str(error)[:300]}")
    fhir_counts[resource_type] = valid

hl7_counts = {}
for name in sorted(os.listdir(os.path.join(folder, "hl7v2"))):
    text = open(os.path.join(folder, "hl7v2", name), encoding="utf-8", newline="").read()
    messages = []
    if text.startswith("FHS"):
        for batch in hl7.parse_file(text):
            messages.extend(batch)
    else:
        messages = [hl7.parse("MSH" + chunk) for chunk in text.split("MSH")[1:]]
    for message in messages:
        kind = str(message.segment("MSH")[9])
        if str(message.segment("MSH")[12]) != "2.5.1":
            errors.append(f"hl7v2/{name}: version is not 2.5.1 in {kind}")
        if not str(message.segment("PID")[3]):
            errors.append(f"hl7v2/{name}: PID-3 empty in {kind}")
        if kind.startswith("ORU") and not message.segments("OBX"):
            errors.append(f"hl7v2/{name}: ORU without OBX")
        hl7_counts[kind] = hl7_counts.get(kind, 0) + 1

vcf_path = os.path.join(folder, "vcf", "germline-panel.vcf")
vcf = {"samples": 0, "records": 0}
with open(vcf_path, encoding="utf-8") as handle:
    first = handle.readline().rstrip("\n")
    if first != "##fileformat=VCFv4.2":
        errors.append("vcf: first line is not ##fileformat=VCFv4.2")
    columns = None
    for line in handle:
        if line.startswith("##"):
            continue
        fields = line.rstrip("\n").split("\t")
        if line.startswith("#CHROM"):
            columns = fields
            vcf["samples"] = len(fields) - 9
            continue
        vcf["records"] += 1
        if columns is None or len(fields) != len(columns):
            errors.append(f"vcf: record {vcf['records']} has {len(fields)} columns")
        if any(call.split(":")[0] not in ("0/0", "0/1", "1/1") for call in fields[9:]):
            errors.append(f"vcf: record {vcf['records']} has an invalid genotype")

report = {
    "tool": {"fhir.resources": fhir.resources.__version__, "fhirVersion": fhir.resources.__fhir_version__,
             "python-hl7": hl7.__version__ if hasattr(hl7, "__version__") else "0.4.5"},
    "output": folder.rstrip("/").split("/")[-1],
    "manifestSha256": manifest_hash(folder),
    "fhirResourcesValid": fhir_counts,
    "hl7MessagesParsed": hl7_counts,
    "vcf": vcf,
    "errors": errors,
}
with open(report_path, "w", encoding="utf-8") as out:
    json.dump(report, out, indent=2, sort_keys=True)
    out.write("\n")
print(f"{sum(fhir_counts.values())} FHIR resources, {sum(hl7_counts.values())} HL7 messages, "
      f"{vcf['records']} VCF records; {len(errors)} errors; report in {report_path}")
