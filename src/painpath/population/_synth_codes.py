"""The codes the synthetic generator draws from, taken from the knowledge base (never literals).

Every clinical code a generated resource carries comes from the packaged knowledge: the
condition groups and red flags (ICD-10-CM), the opioid and conservative-care ingredients
(RxNorm) with the MME factor table's dose unit, the physical-therapy and procedure CPT codes,
the pain instruments (LOINC and painpath's own codes) and the intake questionnaire's linkIds.
"""

from __future__ import annotations

from dataclasses import dataclass

from painpath.knowledge import Knowledge
from painpath.population._prefilter import indication_groups, screened_code_sets

__all__ = ["SynthCodes", "synth_codes"]


@dataclass(frozen=True, slots=True)
class SynthCodes:
    """What a generated record may contain, each list in knowledge-base order."""

    pain_codes: tuple[str, ...]  # ICD-10-CM codes that make some procedure an option
    pain_snomed: tuple[str, ...]  # SNOMED CT concepts the knowledge maps to one of those
    other_snomed: tuple[str, ...]  # mapped concepts that are neither an option nor a red flag
    nonspecific: tuple[str, ...]  # pain codes that match nothing alone (G89.4, M54.9)
    flag_codes: tuple[str, ...]  # ICD-10-CM codes that raise a red flag whatever the onset
    opioids: tuple[tuple[str, str, float], ...]  # (rxcui, name, MME factor) for mg doses
    conservative: tuple[tuple[str, str], ...]  # (rxcui, name): nsaid, acetaminophen, ...
    anticoagulants: tuple[tuple[str, str], ...]
    pt_cpt: tuple[str, ...]
    procedure_cpt: tuple[tuple[str, str], ...]  # (procedure id, first CPT code)
    nrs: tuple[str, str]  # (system, code)
    relief: tuple[str, str]
    intake_url: str
    readiness_items: tuple[str, ...]
    red_flag_items: tuple[str, ...]
    medicare_word: str


def _exact(codes: list[str]) -> list[str]:
    return [c for c in codes if "-" not in c]


def synth_codes(kb: Knowledge) -> SynthCodes:
    """The generator's code lists, derived from the knowledge base."""
    pain: list[str] = []
    for gid in indication_groups(kb):
        pain.extend(c for c in _exact(kb.groups[gid].codes.codes) if c not in pain)
    sets = screened_code_sets(kb)
    pain_snomed, other_snomed = [], []
    for snomed, icd in kb.snomed_to_icd.items():
        hits = [kb.matcher.matches(icd, s) for s in sets]
        if icd in pain:
            pain_snomed.append(snomed)
        elif not any(hits):
            other_snomed.append(snomed)
    flags: list[str] = []
    for flag in kb.red_flags.values():
        if flag.onset_window is None and not flag.seventh_character and not flag.combination:
            flags.extend(_exact(flag.codes.codes))
    names = {i.name: i for i in kb.drugs.ingredients}
    opioids = [
        (names[f.ingredient].rxcui, f.ingredient, f.factor)
        for f in kb.drugs.opioid_factors
        if f.factor is not None and f.dose_unit == "mg" and f.route == "any"
    ]
    classes = [c for c in kb.drugs.conservative_classes if c != "opioid"]
    conservative = [
        (i.rxcui, i.name) for i in kb.drugs.ingredients if set(i.classes) & set(classes)
    ]
    anticoagulants = [
        (i.rxcui, i.name) for i in kb.drugs.ingredients if "anticoagulant" in i.classes
    ]
    pt = next(s for s in kb.procedures_file.physical_therapy if s.system == "cpt")
    procs = [(p.id, p.cpt.codes[0]) for p in kb.procedures.values()]
    inst = {i.id: i for i in kb.instruments.instruments}
    return SynthCodes(
        pain_codes=tuple(pain),
        pain_snomed=tuple(pain_snomed),
        other_snomed=tuple(other_snomed),
        nonspecific=tuple(_exact(kb.conditions.match_nothing_alone.codes)),
        flag_codes=tuple(flags),
        opioids=tuple(opioids),
        conservative=tuple(conservative),
        anticoagulants=tuple(anticoagulants),
        pt_cpt=tuple(pt.codes),
        procedure_cpt=tuple(procs),
        nrs=(inst["nrs"].system, inst["nrs"].code),
        relief=(inst["percent-relief"].system, inst["percent-relief"].code),
        intake_url=kb.instruments.intake_questionnaire,
        readiness_items=tuple(kb.instruments.readiness_items),
        red_flag_items=tuple(kb.instruments.red_flag_items),
        medicare_word=kb.policies_file.medicare_payor_words[0],
    )
