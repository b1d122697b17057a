import Foundation

/// The demo's first cohort, an OHDSI Circe definition (as ATLAS writes them): men whose first
/// diagnosis of prostate cancer came after a PSA above 4 ng/mL in the year before. The demo
/// writes it beside the store, so `pmap cohort check|sql|create` can be tried on it.
enum DemoCohort {
    static let fileName = "prostate-cancer-psa.json"
    static let definition = #"""
        {
          "ConceptSets": [
            {
              "id": 0,
              "name": "Malignant tumor of prostate",
              "expression": {
                "items": [
                  {
                    "concept": {
                      "CONCEPT_ID": 4163261,
                      "CONCEPT_NAME": "Malignant tumor of prostate",
                      "DOMAIN_ID": "Condition",
                      "VOCABULARY_ID": "SNOMED",
                      "STANDARD_CONCEPT": "S",
                      "CONCEPT_CODE": "399068003"
                    },
                    "includeDescendants": true
                  }
                ]
              }
            },
            {
              "id": 1,
              "name": "PSA",
              "expression": {
                "items": [
                  {
                    "concept": {
                      "CONCEPT_ID": 3013603,
                      "CONCEPT_NAME": "Prostate specific Ag [Mass/volume] in Serum or Plasma",
                      "DOMAIN_ID": "Measurement",
                      "VOCABULARY_ID": "LOINC",
                      "STANDARD_CONCEPT": "S",
                      "CONCEPT_CODE": "2857-1"
                    }
                  }
                ]
              }
            }
          ],
          "PrimaryCriteria": {
            "CriteriaList": [
              {
                "ConditionOccurrence": {
                  "CodesetId": 0,
                  "First": true
                }
              }
            ],
            "ObservationWindow": {
              "PriorDays": 0,
              "PostDays": 0
            },
            "PrimaryCriteriaLimit": {
              "Type": "First"
            }
          },
          "QualifiedLimit": {
            "Type": "First"
          },
          "ExpressionLimit": {
            "Type": "First"
          },
          "InclusionRules": [
            {
              "name": "PSA above 4 ng/mL in the year before diagnosis",
              "expression": {
                "Type": "ALL",
                "CriteriaList": [
                  {
                    "Criteria": {
                      "Measurement": {
                        "CodesetId": 1,
                        "ValueAsNumber": {
                          "Value": 4,
                          "Op": "gt"
                        }
                      }
                    },
                    "StartWindow": {
                      "Start": {
                        "Days": 365,
                        "Coeff": -1
                      },
                      "End": {
                        "Days": 0,
                        "Coeff": 1
                      }
                    },
                    "Occurrence": {
                      "Type": 2,
                      "Count": 1
                    }
                  }
                ],
                "DemographicCriteriaList": [],
                "Groups": []
              }
            }
          ],
          "CensoringCriteria": [],
          "CollapseSettings": {
            "CollapseType": "ERA",
            "EraPad": 0
          },
          "CensorWindow": {}
        }
        """#
}
