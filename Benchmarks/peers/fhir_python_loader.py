#!/usr/bin/env python3
"""The peer for PMAP's FHIR ingestion benchmark: a plain Python FHIR R4 NDJSON -> OMOP loader.

It is the loader a competent engineer would write as a first real version, so that PMAP's own
FHIR ingestion can be compared with it for speed. It reads the FHIR R4 Bulk Data NDJSON files
that `pmap synth` writes and inserts them into an existing PMAP store (OMOP CDM v5.4 in SQLite,
created by `pmap init --store STORE.sqlite`, with the starter vocabulary loaded).

Run:

    pmap init --store /tmp/peer.sqlite
    pmap synth --patients 500 --seed 1 --out /tmp/synth --formats fhir
    python3 Benchmarks/peers/fhir_python_loader.py --store /tmp/peer.sqlite /tmp/synth

Each FHIR_DIR is a folder of *.ndjson files, or a `pmap synth` output folder holding `fhir/`.
At the end it prints one JSON line:
    {"resources": N, "seconds": S, "resources_per_second": R, "peak_rss_mb": M}
where N counts every resource read (also the Consent and Organization ones it does not insert).

It is deliberately a plain loader: standard library only, one process and one thread, each file
read line by line with json.loads, mapped in Python, and inserted with executemany in one
transaction per file. No multiprocessing, no dropped indexes, no PRAGMA tuning, no CSV/.import
or other bulk tricks. Mapping:
  Patient -> person, Encounter -> visit_occurrence, Condition -> condition_occurrence,
  Observation -> measurement, MedicationRequest -> drug_exposure, Procedure -> procedure_occurrence.
Codes are looked up in `concept` by (vocabulary, code); a non-standard concept follows its
"Maps to" in `concept_relationship`; an unknown code gives concept 0. Patient.ndjson and
Encounter.ndjson are loaded first so that references resolve; a resource whose patient is
unknown is counted but not inserted (reported on stderr).
"""

import argparse
import glob
import json
import os
import resource
import sqlite3
import sys
import time

# FHIR code system URI -> OMOP vocabulary_id.
SYSTEM_VOCABULARY = {
    "http://snomed.info/sct": "SNOMED",
    "http://loinc.org": "LOINC",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD10CM",
    "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl": "NCIt",
    "http://unitsofmeasure.org": "UCUM",
    "urn:pmap:local-concept": "PMAP",
}
OMOP_CONCEPT_ID_SYSTEM = "urn:pmap:omop-concept-id"

GENDER = {"male": 8507, "female": 8532}
# US Core race/ethnicity OMB category codes -> OMOP concept ids.
OMB = {
    "2106-3": 8527, "2054-5": 8516, "2028-9": 8515, "1002-5": 8657, "2076-8": 8557,
    "2135-2": 38003563, "2186-5": 38003564,
}
US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
VISIT_CLASS = {"AMB": 9202, "IMP": 9201, "EMER": 9203}
EHR_TYPE = 32817  # "EHR"

BATCH = 10000  # rows per executemany call (all within the file's one transaction)

FIRST = ("Patient", "Encounter")


class Vocabulary:
    """The concept look-ups, loaded once from the store."""

    def __init__(self, db):
        self.by_code = {}
        self.standard = set()
        self.known = set()
        for concept_id, vocabulary_id, code, standard in db.execute(
            "SELECT concept_id, vocabulary_id, concept_code, standard_concept FROM concept"
        ):
            self.by_code[(vocabulary_id, code)] = concept_id
            self.known.add(concept_id)
            if standard == "S":
                self.standard.add(concept_id)
        self.maps_to = {}
        for one, two in db.execute(
            "SELECT concept_id_1, concept_id_2 FROM concept_relationship "
            "WHERE relationship_id = 'Maps to' AND invalid_reason IS NULL ORDER BY concept_id_2"
        ):
            self.maps_to.setdefault(one, two)

    def source_concept(self, coding):
        """The concept id the coding names as sent (standard or not), 0 when unknown."""
        system = coding.get("system")
        code = coding.get("code")
        if code is None:
            return 0
        if system == OMOP_CONCEPT_ID_SYSTEM:
            try:
                return int(code)
            except ValueError:
                return 0
        vocabulary = SYSTEM_VOCABULARY.get(system)
        if vocabulary is None:
            return 0
        return self.by_code.get((vocabulary, code), 0)

    def standard_concept(self, source_id):
        """The standard concept for a source concept id (itself if standard), 0 when none."""
        if source_id == 0:
            return 0
        if source_id in self.standard:
            return source_id
        if source_id in self.known:
            return self.maps_to.get(source_id, 0)
        return source_id  # an OMOP id not in the starter vocabulary: trust it as sent

    def map(self, codeable):
        """(concept_id, source_concept_id, source_value) of a CodeableConcept's first coding."""
        codings = (codeable or {}).get("coding") or []
        if not codings:
            return 0, 0, (codeable or {}).get("text")
        coding = codings[0]
        source_id = self.source_concept(coding)
        return self.standard_concept(source_id), source_id, coding.get("code")


def ref_id(reference):
    """'Patient/abc' -> 'abc'."""
    if not reference:
        return None
    value = reference.get("reference")
    if not value:
        return None
    return value.rsplit("/", 1)[-1]


def date_part(value):
    return value[:10] if value else None


def datetime_part(value):
    return value if value and len(value) > 10 else None


class Loader:
    def __init__(self, db):
        self.db = db
        self.vocab = Vocabulary(db)
        self.person = {}  # FHIR Patient id -> person_id
        self.visit = {}  # FHIR Encounter id -> visit_occurrence_id
        self.next_id = {}
        for table, column in (
            ("person", "person_id"),
            ("visit_occurrence", "visit_occurrence_id"),
            ("condition_occurrence", "condition_occurrence_id"),
            ("measurement", "measurement_id"),
            ("drug_exposure", "drug_exposure_id"),
            ("procedure_occurrence", "procedure_occurrence_id"),
        ):
            (maximum,) = db.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}").fetchone()
            self.next_id[table] = maximum + 1
        self.skipped = 0

    def new_id(self, table):
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # -- mappers: resource -> row tuple, or None when it cannot be inserted ----------------

    def patient(self, r):
        birth = r.get("birthDate")
        if not birth:
            return None
        race = ethnicity = 0
        race_source = ethnicity_source = None
        for extension in r.get("extension") or []:
            url = extension.get("url")
            if url != US_CORE_RACE and url != US_CORE_ETHNICITY:
                continue
            for part in extension.get("extension") or []:
                if part.get("url") == "ombCategory":
                    code = (part.get("valueCoding") or {}).get("code")
                    if url == US_CORE_RACE:
                        race, race_source = OMB.get(code, 0), code
                    else:
                        ethnicity, ethnicity_source = OMB.get(code, 0), code
                    break
        gender = r.get("gender")
        person_id = self.new_id("person")
        self.person[r["id"]] = person_id
        month = int(birth[5:7]) if len(birth) >= 7 else None
        return (
            person_id, GENDER.get(gender, 0), int(birth[:4]), month, race, ethnicity,
            r["id"], gender, race_source, ethnicity_source,
        )

    def encounter(self, r):
        person_id = self.person.get(ref_id(r.get("subject")))
        period = r.get("period") or {}
        start = period.get("start")
        if person_id is None or not start:
            return None
        end = period.get("end") or start
        code = (r.get("class") or {}).get("code")
        visit_id = self.new_id("visit_occurrence")
        self.visit[r["id"]] = visit_id
        return (
            visit_id, person_id, VISIT_CLASS.get(code, 0), date_part(start), datetime_part(start),
            date_part(end), datetime_part(end), EHR_TYPE, code,
        )

    def condition(self, r):
        person_id = self.person.get(ref_id(r.get("subject")))
        start = r.get("onsetDateTime") or (r.get("onsetPeriod") or {}).get("start") or r.get("recordedDate")
        if person_id is None or not start:
            return None
        end = r.get("abatementDateTime")
        concept, source_concept, source_value = self.vocab.map(r.get("code"))
        return (
            self.new_id("condition_occurrence"), person_id, concept, date_part(start),
            datetime_part(start), date_part(end), datetime_part(end), EHR_TYPE,
            self.visit.get(ref_id(r.get("encounter"))), source_value, source_concept,
        )

    def observation(self, r):
        person_id = self.person.get(ref_id(r.get("subject")))
        when = r.get("effectiveDateTime") or (r.get("effectivePeriod") or {}).get("start")
        if person_id is None or not when:
            return None
        concept, source_concept, source_value = self.vocab.map(r.get("code"))
        value_number = unit_concept = unit_source = value_concept = value_source = None
        low = high = None
        quantity = r.get("valueQuantity")
        if quantity is not None:
            value_number = quantity.get("value")
            unit_source = quantity.get("unit") or quantity.get("code")
            unit_concept = self.vocab.by_code.get(("UCUM", quantity.get("code")), 0)
            value_source = None if value_number is None else str(value_number)
        codeable = r.get("valueCodeableConcept")
        if codeable is not None:
            value_concept, _, value_source = self.vocab.map(codeable)
        ranges = r.get("referenceRange")
        if ranges:
            low = (ranges[0].get("low") or {}).get("value")
            high = (ranges[0].get("high") or {}).get("value")
        return (
            self.new_id("measurement"), person_id, concept, date_part(when), datetime_part(when),
            EHR_TYPE, value_number, value_concept, unit_concept, low, high,
            self.visit.get(ref_id(r.get("encounter"))), source_value, source_concept,
            unit_source, value_source,
        )

    def medication_request(self, r):
        person_id = self.person.get(ref_id(r.get("subject")))
        dispense = r.get("dispenseRequest") or {}
        validity = dispense.get("validityPeriod") or {}
        start = validity.get("start") or r.get("authoredOn")
        if person_id is None or not start:
            return None
        end = validity.get("end") or start
        days = None
        supply = dispense.get("expectedSupplyDuration")
        if supply and supply.get("value") is not None:
            factor = {"d": 1, "wk": 7, "mo": 30, "a": 365}.get(supply.get("code"), 1)
            days = int(round(supply["value"] * factor))
        concept, source_concept, source_value = self.vocab.map(r.get("medicationCodeableConcept"))
        return (
            self.new_id("drug_exposure"), person_id, concept, date_part(start), datetime_part(start),
            date_part(end), datetime_part(end), EHR_TYPE, days,
            self.visit.get(ref_id(r.get("encounter"))), source_value, source_concept,
        )

    def procedure(self, r):
        person_id = self.person.get(ref_id(r.get("subject")))
        when = r.get("performedDateTime") or (r.get("performedPeriod") or {}).get("start")
        if person_id is None or not when:
            return None
        concept, source_concept, source_value = self.vocab.map(r.get("code"))
        return (
            self.new_id("procedure_occurrence"), person_id, concept, date_part(when),
            datetime_part(when), EHR_TYPE, self.visit.get(ref_id(r.get("encounter"))),
            source_value, source_concept,
        )

    # -- per resource type: mapper and INSERT ------------------------------------------------

    def plan(self, resource_type):
        return {
            "Patient": (self.patient,
                "INSERT INTO person (person_id, gender_concept_id, year_of_birth, month_of_birth, "
                "race_concept_id, ethnicity_concept_id, person_source_value, gender_source_value, "
                "race_source_value, ethnicity_source_value) VALUES (?,?,?,?,?,?,?,?,?,?)"),
            "Encounter": (self.encounter,
                "INSERT INTO visit_occurrence (visit_occurrence_id, person_id, visit_concept_id, "
                "visit_start_date, visit_start_datetime, visit_end_date, visit_end_datetime, "
                "visit_type_concept_id, visit_source_value) VALUES (?,?,?,?,?,?,?,?,?)"),
            "Condition": (self.condition,
                "INSERT INTO condition_occurrence (condition_occurrence_id, person_id, "
                "condition_concept_id, condition_start_date, condition_start_datetime, "
                "condition_end_date, condition_end_datetime, condition_type_concept_id, "
                "visit_occurrence_id, condition_source_value, condition_source_concept_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)"),
            "Observation": (self.observation,
                "INSERT INTO measurement (measurement_id, person_id, measurement_concept_id, "
                "measurement_date, measurement_datetime, measurement_type_concept_id, "
                "value_as_number, value_as_concept_id, unit_concept_id, range_low, range_high, "
                "visit_occurrence_id, measurement_source_value, measurement_source_concept_id, "
                "unit_source_value, value_source_value) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
            "MedicationRequest": (self.medication_request,
                "INSERT INTO drug_exposure (drug_exposure_id, person_id, drug_concept_id, "
                "drug_exposure_start_date, drug_exposure_start_datetime, drug_exposure_end_date, "
                "drug_exposure_end_datetime, drug_type_concept_id, days_supply, "
                "visit_occurrence_id, drug_source_value, drug_source_concept_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
            "Procedure": (self.procedure,
                "INSERT INTO procedure_occurrence (procedure_occurrence_id, person_id, "
                "procedure_concept_id, procedure_date, procedure_datetime, "
                "procedure_type_concept_id, visit_occurrence_id, procedure_source_value, "
                "procedure_source_concept_id) VALUES (?,?,?,?,?,?,?,?,?)"),
        }.get(resource_type)

    def load_file(self, path):
        """Loads one NDJSON file in one transaction; returns the number of resources read."""
        resource_type = os.path.basename(path).split(".", 1)[0]
        plan = self.plan(resource_type)
        count = 0
        if plan is None:  # Consent, Organization, ...: read and counted, not inserted
            with open(path, "r", encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        json.loads(line)
                        count += 1
            return count
        mapper, sql = plan
        rows = []
        self.db.execute("BEGIN")
        try:
            with open(path, "r", encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    count += 1
                    row = mapper(json.loads(line))
                    if row is None:
                        self.skipped += 1
                        continue
                    rows.append(row)
                    if len(rows) >= BATCH:
                        self.db.executemany(sql, rows)
                        rows = []
            if rows:
                self.db.executemany(sql, rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return count


def ndjson_files(folders):
    files = []
    for folder in folders:
        if os.path.isdir(os.path.join(folder, "fhir")):
            folder = os.path.join(folder, "fhir")
        found = sorted(glob.glob(os.path.join(folder, "*.ndjson")))
        if not found:
            sys.exit(f"error: no .ndjson files in {folder}")
        files.extend(found)

    def order(path):
        resource_type = os.path.basename(path).split(".", 1)[0]
        rank = FIRST.index(resource_type) if resource_type in FIRST else len(FIRST)
        return (rank, resource_type, path)

    return sorted(files, key=order)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="an existing PMAP store (pmap init)")
    parser.add_argument("folders", nargs="+", metavar="FHIR_DIR")
    args = parser.parse_args()
    if not os.path.isfile(args.store):
        sys.exit(f"error: no store at {args.store}; create it with `pmap init --store {args.store}`")
    files = ndjson_files(args.folders)

    started = time.perf_counter()
    db = sqlite3.connect(args.store, isolation_level=None)  # explicit BEGIN/COMMIT per file
    loader = Loader(db)
    resources = 0
    for path in files:
        resources += loader.load_file(path)
    db.close()
    seconds = time.perf_counter() - started

    if loader.skipped:
        print(f"skipped {loader.skipped} resources (unknown patient or missing date)", file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "resources": resources,
        "seconds": round(seconds, 3),
        "resources_per_second": round(resources / seconds, 1) if seconds > 0 else None,
        "peak_rss_mb": round(peak_mb, 1),
    }))


if __name__ == "__main__":
    main()
