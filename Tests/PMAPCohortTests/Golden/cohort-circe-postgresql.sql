-- statements
CREATE TEMPORARY TABLE pmap_cohort_7_golden_codesets (codeset_id BIGINT NOT NULL, concept_id BIGINT NOT NULL);
-- arguments: []

INSERT INTO pmap_cohort_7_golden_codesets (codeset_id, concept_id)
WITH items (codeset_id, concept_id, excluded, descendants, mapped) AS (
  VALUES (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))
),
expanded (codeset_id, concept_id, excluded, mapped) AS (
  SELECT codeset_id, concept_id, excluded, mapped FROM items
),
with_mapped (codeset_id, concept_id, excluded) AS (
  SELECT codeset_id, concept_id, excluded FROM expanded
)
SELECT codeset_id, concept_id FROM with_mapped WHERE excluded = 0
EXCEPT
SELECT codeset_id, concept_id FROM with_mapped WHERE excluded = 1;
-- arguments: [0, 4000, 0, 0, 0, 1, 9201, 0, 0, 0, 2, 38004451, 0, 0, 0, 3, 1118084, 0, 0, 0]

CREATE TEMPORARY TABLE pmap_cohort_7_golden_primary_events AS
SELECT P.ordinal AS event_id, P.person_id, P.start_date, P.end_date,
  P.op_start_date, P.op_end_date, P.visit_occurrence_id
FROM (
  SELECT E.person_id, E.start_date, E.end_date, E.visit_occurrence_id,
    row_number() OVER (
      PARTITION BY E.person_id ORDER BY E.start_date ASC, E.event_id) AS ordinal,
    OP.observation_period_start_date AS op_start_date,
    OP.observation_period_end_date AS op_end_date
  FROM (
SELECT C.person_id, C.event_id, C.start_date, C.end_date, C.concept_id,
  C.visit_occurrence_id
FROM (
  SELECT dx.person_id,
    dx.device_exposure_id AS event_id,
    dx.device_concept_id AS concept_id,
    (dx.device_exposure_start_date + CAST(? AS INTEGER)) AS start_date,
    (COALESCE(dx.device_exposure_end_date, (dx.device_exposure_start_date + CAST(? AS INTEGER))) + CAST(? AS INTEGER)) AS end_date,
    dx.visit_occurrence_id AS visit_occurrence_id,
    dx.unique_device_id,
    row_number() OVER (
      PARTITION BY dx.person_id
      ORDER BY dx.device_exposure_start_date, dx.device_exposure_id
    ) AS ordinal
  FROM device_exposure dx
  WHERE dx.device_concept_id IN (
    SELECT concept_id FROM pmap_cohort_7_golden_codesets WHERE codeset_id = CAST(? AS BIGINT))
) C
JOIN visit_occurrence V ON V.visit_occurrence_id = C.visit_occurrence_id AND V.person_id = C.person_id
WHERE C.ordinal = 1
  AND C.end_date >= C.start_date
  AND V.visit_concept_id IN (SELECT concept_id FROM pmap_cohort_7_golden_codesets WHERE codeset_id = CAST(? AS BIGINT))
  AND C.unique_device_id ILIKE CAST(? AS TEXT) ESCAPE '\'
  ) E
  JOIN observation_period OP ON OP.person_id = E.person_id
    AND E.start_date >= OP.observation_period_start_date
    AND E.start_date <= OP.observation_period_end_date
  WHERE (OP.observation_period_start_date + CAST(? AS INTEGER)) <= E.start_date
    AND (E.start_date + CAST(? AS INTEGER)) <= OP.observation_period_end_date
    AND NOT EXISTS (
    SELECT 1 FROM pmap_consent OC WHERE OC.person_id = E.person_id AND OC.research_opt_out = 1
  )
) P;
-- arguments: [1, 1, 1, 0, 1, '(01)%', 0, 0]

CREATE TEMPORARY TABLE pmap_cohort_7_golden_qualified_events AS
SELECT QE.event_id, QE.person_id, QE.start_date, QE.end_date, QE.op_start_date, QE.op_end_date,
  QE.visit_occurrence_id
FROM (
  SELECT pe.event_id, pe.person_id, pe.start_date, pe.end_date, pe.op_start_date, pe.op_end_date,
    pe.visit_occurrence_id,
    row_number() OVER (
      PARTITION BY pe.person_id ORDER BY pe.start_date ASC, pe.event_id) AS ordinal
  FROM pmap_cohort_7_golden_primary_events pe
) QE;
-- arguments: []

CREATE TEMPORARY TABLE pmap_cohort_7_golden_inclusion_events (
  inclusion_rule_id BIGINT NOT NULL, person_id BIGINT NOT NULL, event_id BIGINT NOT NULL
);
-- arguments: []

CREATE TEMPORARY TABLE pmap_cohort_7_golden_criterion_1 AS
SELECT C.person_id, C.event_id, C.start_date, C.end_date, C.concept_id,
  C.visit_occurrence_id, C.start_date AS count_value
FROM (
  SELECT de.person_id,
    de.drug_exposure_id AS event_id,
    de.drug_concept_id AS concept_id,
    de.drug_exposure_start_date AS start_date,
    COALESCE(de.drug_exposure_end_date, (de.drug_exposure_start_date + CAST(de.days_supply AS INTEGER)), (de.drug_exposure_start_date + CAST(? AS INTEGER))) AS end_date,
    de.visit_occurrence_id AS visit_occurrence_id,
    de.provider_id,
    de.stop_reason
  FROM drug_exposure de
  WHERE de.drug_concept_id IN (
    SELECT concept_id FROM pmap_cohort_7_golden_codesets WHERE codeset_id = CAST(? AS BIGINT))
) C
LEFT JOIN provider PR ON PR.provider_id = C.provider_id
WHERE PR.specialty_concept_id IN (SELECT concept_id FROM pmap_cohort_7_golden_codesets WHERE codeset_id = CAST(? AS BIGINT))
  AND C.stop_reason ILIKE CAST(? AS TEXT) ESCAPE '\';
-- arguments: [1, 3, 2, '%due to%']

INSERT INTO pmap_cohort_7_golden_inclusion_events (inclusion_rule_id, person_id, event_id)
SELECT 0, R.person_id, R.event_id
FROM (
SELECT E.person_id, E.event_id
FROM pmap_cohort_7_golden_qualified_events E
LEFT JOIN (
SELECT 0 AS member, G.person_id, G.event_id FROM (
SELECT Y.person_id, Y.event_id
FROM pmap_cohort_7_golden_qualified_events Y
LEFT JOIN (
  SELECT X.person_id, X.event_id, A.count_value
  FROM pmap_cohort_7_golden_qualified_events X
  JOIN pmap_cohort_7_golden_criterion_1 A
    ON A.person_id = X.person_id
    AND A.start_date >= X.op_start_date AND A.start_date <= X.op_end_date
    AND A.start_date >= (X.end_date + CAST(? AS INTEGER))
    AND A.start_date <= (X.end_date + CAST(? AS INTEGER))
    AND A.visit_occurrence_id = X.visit_occurrence_id
) cc ON cc.person_id = Y.person_id AND cc.event_id = Y.event_id
GROUP BY Y.person_id, Y.event_id
HAVING COUNT(DISTINCT cc.count_value) >= CAST(? AS BIGINT)
) G
) CQ ON CQ.person_id = E.person_id AND CQ.event_id = E.event_id
GROUP BY E.person_id, E.event_id
HAVING COUNT(CQ.member) = 1
) R;
-- arguments: [0, 7, 2]

CREATE TEMPORARY TABLE pmap_cohort_7_golden_included_events AS
SELECT R.event_id, R.person_id, R.start_date, R.end_date, R.op_start_date, R.op_end_date
FROM (
  SELECT MG.event_id, MG.person_id, MG.start_date, MG.end_date, MG.op_start_date, MG.op_end_date,
    row_number() OVER (
      PARTITION BY MG.person_id ORDER BY MG.start_date ASC, MG.event_id) AS ordinal
  FROM (
    SELECT Q.event_id, Q.person_id, Q.start_date, Q.end_date, Q.op_start_date, Q.op_end_date,
      COUNT(DISTINCT I.inclusion_rule_id) AS rules_met
    FROM pmap_cohort_7_golden_qualified_events Q
    LEFT JOIN pmap_cohort_7_golden_inclusion_events I ON I.person_id = Q.person_id AND I.event_id = Q.event_id
    GROUP BY Q.event_id, Q.person_id, Q.start_date, Q.end_date, Q.op_start_date, Q.op_end_date
  ) MG
  WHERE MG.rules_met = 1
) R;
-- arguments: []

CREATE TEMPORARY TABLE pmap_cohort_7_golden_cohort_rows AS
SELECT F.person_id, F.start_date, F.end_date
FROM (
  SELECT I.event_id, I.person_id, I.start_date, CE.end_date,
    row_number() OVER (PARTITION BY I.person_id, I.event_id ORDER BY CE.end_date) AS ordinal
  FROM pmap_cohort_7_golden_included_events I
  JOIN (
SELECT event_id, person_id,
  CASE WHEN (end_date + CAST(? AS INTEGER)) > op_end_date THEN op_end_date
    ELSE (end_date + CAST(? AS INTEGER)) END AS end_date
FROM pmap_cohort_7_golden_included_events
  ) CE ON CE.event_id = I.event_id AND CE.person_id = I.person_id AND CE.end_date >= I.start_date
) F
WHERE F.ordinal = 1;
-- arguments: [30, 30]

CREATE TEMPORARY TABLE pmap_cohort_7_golden_final_cohort AS
SELECT V.person_id, V.start_date, (V.end_date + CAST(? AS INTEGER)) AS end_date
FROM (
SELECT N.person_id, MIN(N.start_date) AS start_date, MAX(N.end_date) AS end_date
FROM (
  SELECT M.person_id, M.start_date, M.end_date,
    SUM(M.opens) OVER (
      PARTITION BY M.person_id ORDER BY M.start_date, M.end_date ROWS UNBOUNDED PRECEDING) AS era
  FROM (
    SELECT D.person_id, D.start_date, D.end_date,
      CASE WHEN D.start_date <= MAX(D.end_date) OVER (
          PARTITION BY D.person_id ORDER BY D.start_date, D.end_date
          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        THEN 0 ELSE 1 END AS opens
    FROM (
      SELECT person_id, start_date, (end_date + CAST(? AS INTEGER)) AS end_date
      FROM pmap_cohort_7_golden_cohort_rows
    ) D
  ) M
) N
GROUP BY N.person_id, N.era
) V;
-- arguments: [0, 0]

DELETE FROM cohort WHERE cohort_definition_id = CAST(? AS BIGINT);
-- arguments: [7]

INSERT INTO cohort (cohort_definition_id, subject_id, cohort_start_date, cohort_end_date)
SELECT CAST(? AS BIGINT), F.person_id, F.start_date, F.end_date
FROM pmap_cohort_7_golden_final_cohort F;
-- arguments: [7]

-- inclusion mask query
SELECT B.mask, COUNT(*) AS persons
FROM (
  SELECT M.person_id, M.mask,
    row_number() OVER (
      PARTITION BY M.person_id ORDER BY M.rules_met DESC, M.start_date, M.event_id) AS best_rank
  FROM (
    SELECT Q.person_id, Q.event_id, Q.start_date, CAST(COALESCE(SUM(DISTINCT (CAST(1 AS BIGINT) << CAST(I.inclusion_rule_id AS INTEGER))), 0) AS BIGINT) AS mask,
      COUNT(DISTINCT I.inclusion_rule_id) AS rules_met
    FROM pmap_cohort_7_golden_qualified_events Q
    LEFT JOIN pmap_cohort_7_golden_inclusion_events I ON I.person_id = Q.person_id AND I.event_id = Q.event_id
    GROUP BY Q.person_id, Q.event_id, Q.start_date
  ) M
) B
WHERE B.best_rank = 1
GROUP BY B.mask
ORDER BY B.mask;
-- arguments: []

-- cleanup
DROP TABLE IF EXISTS pmap_cohort_7_golden_criterion_1;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_final_cohort;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_cohort_rows;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_included_events;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_inclusion_events;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_qualified_events;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_primary_events;
-- arguments: []

DROP TABLE IF EXISTS pmap_cohort_7_golden_codesets;
-- arguments: []
