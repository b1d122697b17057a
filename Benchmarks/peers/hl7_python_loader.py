#!/usr/bin/env python3
"""The peer for PMAP's HL7 v2 ingestion benchmark: a plain python-hl7 + sqlite3 loader.

It reads the HL7 v2 files that `pmap synth --formats hl7v2` writes (ADT^A04/A08 registrations
and ORU^R01 lab results in an FHS/BHS envelope), parses each message with python-hl7 (PyPI
`hl7==0.4.5`), and inserts into an existing PMAP store (OMOP CDM v5.4 in SQLite, created by
`pmap init`): PID -> person (one per MRN, demographics only), OBX -> measurement (LOINC code
looked up in `concept`, following "Maps to"; unknown codes give concept 0).

    python3 -m venv /tmp/hl7-peer && /tmp/hl7-peer/bin/pip install hl7==0.4.5
    /tmp/hl7-peer/bin/python Benchmarks/peers/hl7_python_loader.py --store /tmp/peer.sqlite FILE.hl7 ...

Deliberately plain: one process, one thread, a file read whole and split into messages at
each MSH, `hl7.parse` per message, executemany in one transaction per file; no identity vault,
no provenance, no quarantine, no idempotency. It prints one JSON line:
    {"messages": N, "seconds": S, "messages_per_second": R, "peak_rss_mb": M}
"""

import argparse
import json
import resource
import sqlite3
import time

import hl7


def messages_of(text):
    segments = [s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]
    current = []
    for segment in segments:
        kind = segment[:3]
        if kind in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if kind == "MSH" and current:
            yield "\r".join(current)
            current = []
        current.append(segment)
    if current:
        yield "\r".join(current)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    db = sqlite3.connect(args.store)
    concepts = {}

    def concept(code):
        if code not in concepts:
            row = db.execute(
                """SELECT COALESCE(r.concept_id_2, c.concept_id) FROM concept c
                   LEFT JOIN concept_relationship r ON r.concept_id_1 = c.concept_id AND r.relationship_id = 'Maps to'
                   WHERE c.vocabulary_id = 'LOINC' AND c.concept_code = ?""", (code,)).fetchone()
            concepts[code] = row[0] if row else 0
        return concepts[code]

    persons = {}
    next_person = (db.execute("SELECT COALESCE(MAX(person_id), 0) FROM person").fetchone()[0]) + 1
    next_measurement = (db.execute("SELECT COALESCE(MAX(measurement_id), 0) FROM measurement").fetchone()[0]) + 1
    count = 0
    start = time.time()
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        person_rows, measurement_rows = [], []
        for raw in messages_of(text):
            message = hl7.parse(raw)
            count += 1
            pid = message.segment("PID")
            mrn = str(pid[3][0][0])
            if mrn not in persons:
                persons[mrn] = next_person
                birth = str(pid[7])
                gender = {"M": 8507, "F": 8532}.get(str(pid[8]), 0)
                person_rows.append((next_person, gender, int(birth[:4]), int(birth[4:6]), 0, 0, str(pid[8])))
                next_person += 1
            person = persons[mrn]
            if str(message.segment("MSH")[9][0][0]) != "ORU":
                continue
            for obx in message.segments("OBX"):
                code = str(obx[3][0][0])
                try:
                    value = float(str(obx[5]))
                except ValueError:
                    value = None
                date = str(obx[14])[:8]
                low = high = None
                if "-" in str(obx[7]):
                    parts = str(obx[7]).split("-")
                    try:
                        low, high = float(parts[0]), float(parts[1])
                    except ValueError:
                        pass
                measurement_rows.append((next_measurement, person, concept(code), f"{date[:4]}-{date[4:6]}-{date[6:8]}",
                                         32817, value, low, high, code, str(obx[6][0][0]), str(obx[8])))
                next_measurement += 1
        with db:
            db.executemany(
                """INSERT OR REPLACE INTO person (person_id, gender_concept_id, year_of_birth, month_of_birth,
                   race_concept_id, ethnicity_concept_id, gender_source_value) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                person_rows)
            db.executemany(
                """INSERT INTO measurement (measurement_id, person_id, measurement_concept_id, measurement_date,
                   measurement_type_concept_id, value_as_number, range_low, range_high, measurement_source_value,
                   unit_source_value, value_source_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                measurement_rows)
    seconds = time.time() - start
    print(json.dumps({"messages": count, "seconds": round(seconds, 3),
                      "messages_per_second": round(count / seconds), "peak_rss_mb":
                      round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main()
