"""One synthetic patient's FHIR R4 resources (Bulk Data form: `Type/id` references).

The mix is a synthetic population's, not a clinical rule: most people have no pain condition
any procedure treats (their records hold other problems, visits and vital signs); about a third
have one, with onsets from weeks to years ago, some resolved, some with physical therapy or
conservative medicines of varying length, opioids at a spread of doses, pain scores, an intake
questionnaire, prior interventional procedures with a relief score, an anticoagulant, and a few
with a red flag. So screening meets every status. The codes come from `SynthCodes` (the
knowledge base); the proportions below are the generator's own parameters.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from painpath.population._synth_codes import SynthCodes

__all__ = ["patient_resources"]

Resource = dict[str, Any]

_ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
_SNOMED = "http://snomed.info/sct"
_RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_CPT = "http://www.ama-assn.org/go/cpt"
_LOINC = "http://loinc.org"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_UCUM = "http://unitsofmeasure.org"

# Population mix (the generator's parameters, not clinical knowledge).
_P_PAIN = 0.34  # a condition some procedure treats
_P_FLAG = 0.02  # a red-flag condition
_P_SNOMED = 0.25  # a pain problem coded in SNOMED CT rather than ICD-10-CM
_P_RESOLVED = 0.1
_P_PT = 0.6
_P_MEDS = 0.6
_P_OPIOID = 0.35
_P_NRS = 0.7
_P_INTAKE = 0.3
_P_SCREEN_YES = 0.04
_P_PRIOR = 0.12
_P_ANTICOAG = 0.05
_P_MEDICARE = 0.45
_MME_TARGETS = (5, 10, 15, 20, 30, 30, 40, 45, 60, 60, 90, 120)  # a skewed spread of daily MME
# Vital signs no rule reads (LOINC body weight, heart rate): realistic bulk in the export.
_VITALS = (("29463-7", "kg", 50.0, 120.0), ("8867-4", "/min", 55.0, 100.0))
_GIVEN = ("Alex", "Sam", "Robin", "Jordan", "Casey", "Morgan", "Taylor", "Jamie", "Riley", "Avery")
_FAMILY = ("Garcia", "Smith", "Nguyen", "Okafor", "Kowalski", "Haddad", "Silva", "Larsen")


def _day(as_of: date, days_ago: int) -> str:
    return (as_of - timedelta(days=days_ago)).isoformat()


def _ref(pid: str) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def _coding(system: str, code: str) -> dict[str, list[dict[str, str]]]:
    return {"coding": [{"system": system, "code": code}]}


class _Builder:
    """Collects one patient's resources; ids are the patient id plus a running number."""

    def __init__(self, rng: random.Random, pid: str, as_of: date, codes: SynthCodes) -> None:
        self.rng, self.pid, self.as_of, self.codes = rng, pid, as_of, codes
        self.out: list[Resource] = []
        self.n = 0

    def add(self, rtype: str, body: Resource, owner: str = "subject") -> str:
        self.n += 1
        rid = f"{self.pid}-{self.n}"
        self.out.append({"resourceType": rtype, "id": rid, **body, owner: _ref(self.pid)})
        return rid

    def condition(self, code: dict[str, Any], onset_days: int, resolved: bool = False) -> None:
        status = "resolved" if resolved else "active"
        body: Resource = {
            "clinicalStatus": _coding(_CLINICAL, status),
            "code": code,
            "onsetDateTime": _day(self.as_of, onset_days),
        }
        if resolved:
            body["abatementDateTime"] = _day(self.as_of, max(onset_days // 2, 1))
        self.add("Condition", body)

    def statement(self, rx: tuple[str, str], start: int, end: int) -> None:
        med = {"coding": [{"system": _RXNORM, "code": rx[0], "display": rx[1]}]}
        period = {"start": _day(self.as_of, start), "end": _day(self.as_of, end)}
        self.add(
            "MedicationStatement",
            {"status": "completed", "medicationCodeableConcept": med, "effectivePeriod": period},
        )

    def opioid(self, rx: tuple[str, str, float], start: int) -> None:
        rng = self.rng
        freq = rng.choice((1, 2, 3, 4))
        dose = max(round(rng.choice(_MME_TARGETS) / (freq * rx[2])), 1)
        med = {"coding": [{"system": _RXNORM, "code": rx[0], "display": rx[1]}]}
        dosage = {
            "timing": {"repeat": {"frequency": freq, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {"doseQuantity": {"value": dose, "unit": "mg", "system": _UCUM, "code": "mg"}}
            ],
        }
        body = {
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": med,
            "authoredOn": _day(self.as_of, start),
            "dosageInstruction": [dosage],
        }
        self.add("MedicationRequest", body)

    def observation(self, code: tuple[str, str], days: int, value: Resource, **extra: Any) -> str:
        body = {
            "status": "final",
            "code": _coding(*code),
            "effectiveDateTime": _day(self.as_of, days),
        }
        return self.add("Observation", {**body, **value, **extra})

    def intake(self, days: int) -> None:
        rng, codes = self.rng, self.codes
        ready = [self._answer(link, rng.random() < 0.6) for link in codes.readiness_items]
        flags = [
            self._answer(link, rng.random() < _P_SCREEN_YES / 2) for link in codes.red_flag_items
        ]
        body = {
            "questionnaire": codes.intake_url,
            "status": "completed",
            "authored": _day(self.as_of, days),
            "item": [
                {"linkId": "readiness", "item": ready},
                {"linkId": "red-flags", "item": flags},
            ],
        }
        self.add("QuestionnaireResponse", body)

    @staticmethod
    def _answer(link: str, yes: bool) -> Resource:
        return {"linkId": link, "answer": [{"valueBoolean": yes}]}


def _background(b: _Builder) -> None:
    rng, as_of = b.rng, b.as_of
    for _ in range(rng.randint(0, 2)):
        snomed = rng.choice(b.codes.other_snomed)
        b.condition(_coding(_SNOMED, snomed), rng.randint(30, 4000), rng.random() < 0.3)
    if rng.random() < 0.15:
        b.condition(_coding(_ICD10, rng.choice(b.codes.nonspecific)), rng.randint(30, 2000))
    for _ in range(rng.randint(1, 6)):
        days = rng.randint(1, 900)
        period = {
            "start": _day(as_of, days) + "T09:00:00Z",
            "end": _day(as_of, days) + "T09:30:00Z",
        }
        visit = {"status": "finished", "class": {"code": "AMB"}, "type": [{"text": "Office visit"}]}
        b.add("Encounter", {**visit, "period": period})
        for loinc, unit, low, high in _VITALS:
            value = {"valueQuantity": {"value": round(rng.uniform(low, high), 1), "unit": unit}}
            b.observation((_LOINC, loinc), days, value, category=[{"text": "vital-signs"}])


def _pain(b: _Builder) -> None:
    rng, codes = b.rng, b.codes
    onset = int(rng.choice((rng.randint(10, 89), rng.randint(90, 1100), rng.randint(90, 400))))
    if rng.random() < _P_SNOMED:
        code = _coding(_SNOMED, rng.choice(codes.pain_snomed))
    else:
        code = _coding(_ICD10, rng.choice(codes.pain_codes))
    b.condition(code, onset, rng.random() < _P_RESOLVED)
    if rng.random() < 0.15:
        b.condition(_coding(_ICD10, rng.choice(codes.pain_codes)), rng.randint(30, 900))
    if rng.random() < _P_PT:
        start = rng.randint(0, onset)
        length = rng.randint(7, 140)
        period = {"start": _day(b.as_of, start), "end": _day(b.as_of, max(start - length, 0))}
        b.add(
            "Procedure",
            {
                "status": "completed",
                "code": _coding(_CPT, rng.choice(codes.pt_cpt)),
                "performedPeriod": period,
            },
        )
    if rng.random() < _P_MEDS:
        start = rng.randint(0, onset)
        b.statement(rng.choice(codes.conservative), start, max(start - rng.randint(7, 180), 0))
    if rng.random() < _P_OPIOID:
        b.opioid(rng.choice(codes.opioids), rng.randint(1, 80))
    if rng.random() < _P_NRS:
        b.observation(codes.nrs, rng.randint(1, 60), {"valueInteger": rng.randint(2, 10)})
    if rng.random() < _P_INTAKE:
        b.intake(rng.randint(1, 60))
    if rng.random() < _P_PRIOR:
        _prior(b)
    if rng.random() < _P_ANTICOAG:
        b.statement(rng.choice(codes.anticoagulants), rng.randint(30, 400), 0)


def _prior(b: _Builder) -> None:
    rng = b.rng
    _proc, cpt = rng.choice(b.codes.procedure_cpt)
    days = rng.randint(20, 300)
    body = {
        "status": "completed",
        "code": _coding(_CPT, cpt),
        "performedDateTime": _day(b.as_of, days) + "T09:00:00Z",
    }
    rid = b.add("Procedure", body)
    value = {
        "valueQuantity": {"value": rng.randint(0, 100), "unit": "%", "system": _UCUM, "code": "%"}
    }
    b.observation(b.codes.relief, days, value, partOf=[{"reference": f"Procedure/{rid}"}])


def patient_resources(
    rng: random.Random, index: int, as_of: date, codes: SynthCodes
) -> list[Resource]:
    """The resources of synthetic patient number `index` (Patient first), drawn from `rng`."""
    pid = f"{rng.getrandbits(64):016x}-{index:08d}"
    b = _Builder(rng, pid, as_of, codes)
    born = as_of - timedelta(days=rng.randint(18 * 365, 90 * 365))
    b.out.append(
        {
            "resourceType": "Patient",
            "id": pid,
            "name": [{"given": [rng.choice(_GIVEN)], "family": rng.choice(_FAMILY)}],
            "gender": rng.choice(("female", "male")),
            "birthDate": born.isoformat(),
        }
    )
    payor = codes.medicare_word.capitalize() if rng.random() < _P_MEDICARE else "Commercial plan"
    b.add("Coverage", {"status": "active", "payor": [{"display": payor}]}, owner="beneficiary")
    _background(b)
    if rng.random() < _P_PAIN:
        _pain(b)
    if rng.random() < _P_FLAG:
        b.condition(_coding(_ICD10, rng.choice(codes.flag_codes)), rng.randint(1, 60))
    return b.out
