"""Typed schema of the knowledge files (pydantic 2). Every number and code list carries its source.

A `source` is a citation id from `sources.yaml`; a `tag` says how well the fact is
verified (clinical-facts.md): `primary`, `secondary`, `unverified`, or
`operational` (a painpath definition where the sources give no number).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Antithrombotic",
    "CodeSet",
    "ConditionGroup",
    "ConditionsFile",
    "Criterion",
    "DrugsFile",
    "Family",
    "HoldCell",
    "HoldRow",
    "Ingredient",
    "InstrumentsFile",
    "Number",
    "OpioidFactor",
    "PoliciesFile",
    "Policy",
    "Procedure",
    "ProceduresFile",
    "Product",
    "RedFlag",
    "RulesFile",
    "SafetyCheck",
    "SessionFamily",
    "SnomedFile",
    "SnomedMap",
    "Source",
    "SourcesFile",
    "Steroid",
    "Tag",
    "Text",
]

Tag = Literal["primary", "secondary", "unverified", "operational"]
RiskClass = Literal["high", "intermediate", "low"]
Region = Literal["cervical-thoracic", "lumbar-sacral"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Model):
    """Anything that carries a source id and a verification tag."""

    source: str
    tag: Tag
    note: str | None = None


class Number(Cited):
    """A clinical or operational number with its unit, source and tag."""

    value: float
    unit: str | None = None


class Text(Cited):
    """A categorical fact (e.g. a bleeding-risk class) with its source and tag."""

    value: str


class CodeSet(Cited):
    """A list of code patterns (ICD-10-CM: `M54.16`, `M54.1-` for a code and its children,
    `C00-C96` for a range of categories) and patterns it excludes."""

    system: Literal["icd-10-cm", "cpt", "snomed", "rxnorm", "loinc"] = "icd-10-cm"
    codes: list[str] = Field(min_length=1)
    exclude: list[str] = []


# ---------------------------------------------------------------- sources.yaml


class Source(_Model):
    id: str
    title: str
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    identifier: str | None = None


class SourcesFile(_Model):
    version: str
    sources: list[Source]


# ------------------------------------------------------------- procedures.yaml


class Family(_Model):
    id: str
    name: str
    treats: str
    how_it_works: str
    typical_conditions: list[str]


class RepeatLimit(Cited):
    sessions: int
    months: int


class Procedure(_Model):
    id: str
    family: str
    name: str
    plain_name: str
    purpose: Literal["diagnostic", "therapeutic", "trial"]
    region: Literal["cervical-thoracic", "lumbar-sacral", "sacroiliac", "peripheral", "visceral"]
    treats: str
    how_it_works: str
    what_to_expect: str
    imaging: list[Literal["fluoroscopy", "ct", "ultrasound", "none"]]
    uses_contrast: bool
    ultrasound_possible: bool
    steroid: bool
    anesthesia: str
    recovery: str
    relief_onset: str
    relief_duration: str
    risks: list[str]
    limits: str
    cpt: CodeSet
    bleeding_risk: Text
    # condition-group ids on the covered (primary) list, then groups that only make it an option
    indications: list[str] = Field(min_length=1)
    also_indications: list[str] = []
    repeat_limit: RepeatLimit | None = None
    policy: str | None = None
    prerequisite: str | None = None  # engine rule key (registry), e.g. "facet-rfa"
    session_family: str | None = None


class SessionFamily(_Model):
    """CPT codes whose distinct dates count as sessions of one kind, with region by code."""

    id: str
    cpt: CodeSet
    regions: dict[str, Region] = {}


class ProceduresFile(_Model):
    version: str
    families: list[Family]
    procedures: list[Procedure]
    session_families: list[SessionFamily]
    physical_therapy: list[CodeSet]  # one CodeSet per code system (CPT, SNOMED CT)
    psych_evaluation: CodeSet


# ------------------------------------------------------------- conditions.yaml


class ConditionGroup(_Model):
    id: str
    name: str
    region: Region | None = None
    codes: CodeSet


class RedFlag(_Model):
    id: str
    name: str
    message: str
    action: str
    codes: CodeSet
    onset_window: Number | None = None  # months; onset within the window raises the flag
    when_no_onset: Literal["flag", "no-flag"] = "flag"
    seventh_character: list[str] = []
    history_rationale: str | None = None
    screen_items: list[str]
    exempt_with: CodeSet | None = None  # e.g. malignancy is not raised when G89.3 is active
    combination: list[CodeSet] = []  # e.g. R63.4 (active) with Z85.- (any status)


class SnomedMap(_Model):
    snomed: str
    display: str
    icd10: str
    source: str
    tag: Tag


class SnomedFile(_Model):
    """SNOMED CT problem concepts mapped to one billable ICD-10-CM code each (decision-rules §0)."""

    version: str
    mappings: list[SnomedMap]


class ConditionsFile(_Model):
    version: str
    groups: list[ConditionGroup]
    red_flags: list[RedFlag]
    code_sets: dict[str, CodeSet]  # pregnancy, systemic-infection, diabetes, sud, ...
    retired_codes: dict[str, str]  # e.g. M54.5 -> M54.50
    match_nothing_alone: CodeSet


# ------------------------------------------------------------------ drugs.yaml


class Ingredient(_Model):
    rxcui: str
    name: str
    classes: list[str]  # opioid, nsaid, acetaminophen, muscle-relaxant, neuropathic, ...
    half_life_hours: Number | None = None


class Product(_Model):
    """An RxNorm product (SCD/SBD/...) with its ingredients and, where known, strength."""

    rxcui: str
    name: str
    ingredients: list[str]
    transdermal: bool = False


class OpioidFactor(Cited):
    ingredient: str
    factor: float | None  # None: no clinical factor (buprenorphine, ...)
    dose_unit: Literal["mg", "mcg/h"] = "mg"
    route: Literal["any", "transdermal", "oral", "buccal", "nasal"] = "any"
    reason_absent: str | None = None


class HoldCell(_Model):
    """One cell of the hold table: what to do before a procedure of one bleeding-risk class."""

    kind: Literal["number", "do-not-stop", "shared-decision", "do-not-stop-shared", "rule", "none"]
    hold_days: float | None = None  # for kind=number: upper bound of a range, in days
    restart_hours: float | None = None
    words: str | None = None


class HoldRow(Cited):
    variant: str  # default, primary-prevention, secondary-prevention, iv, sc, prophylactic, ...
    high: HoldCell
    intermediate: HoldCell
    low: HoldCell


class Antithrombotic(_Model):
    drug: str  # lowercase ingredient name
    drug_class: Literal["antiplatelet", "anticoagulant", "nsaid"]
    rows: list[HoldRow]


class Steroid(Cited):
    ingredient: str
    equivalent_mg: float  # mg equal to 4 mg methylprednisolone... see unit
    per_session_ceiling_mg: Number | None = None


class DrugsFile(_Model):
    version: str
    mme_table: Cited
    mme_table_version: str
    ingredients: list[Ingredient]
    products: list[Product]
    salt_words: list[str]
    opioid_factors: list[OpioidFactor]
    fentanyl_patch_factor: Number
    timing_codes: dict[str, float]  # doses per day by timing.code
    period_unit_days: dict[str, float]  # UCUM unit of timing.repeat.periodUnit -> days
    antithrombotics: list[Antithrombotic]
    aspirin_secondary_prevention: CodeSet
    aspirin_analgesic_min_mg_per_day: Number
    enoxaparin_prophylactic_max_mg_per_day: Number
    heparin_routes: dict[str, str]  # SNOMED route code -> row variant
    steroids: list[Steroid]
    contrast_allergy: CodeSet
    contrast_allergy_words: list[str]
    conservative_classes: list[str]
    ssri_snri_note: str


# --------------------------------------------------------------- policies.yaml


class Criterion(_Model):
    id: str
    kind: str  # engine evaluator key (registry)
    text: str  # what the payer asks, in our words
    params: dict[str, Number | Text | str | list[str]] = {}
    source: str
    tag: Tag


class Policy(_Model):
    id: str
    title: str
    lcd_ids: list[str]
    source: str
    tag: Tag
    procedures: list[str]
    criteria: list[Criterion]
    extra_criteria: dict[str, list[Criterion]] = {}  # per procedure id


class PoliciesFile(_Model):
    version: str
    default_payer: str
    medicare_payor_words: list[str]
    policies: list[Policy]


# ------------------------------------------------------------------ rules.yaml


class SafetyCheck(_Model):
    id: str
    code_set: str | None = None
    message: str
    source: str
    tag: Tag


class RulesFile(_Model):
    """Operational definitions and thresholds the engine combines (decision-rules.md)."""

    version: str
    numbers: dict[str, Number]
    safety_checks: list[SafetyCheck]


# ------------------------------------------------------------- instruments.yaml


class Instrument(_Model):
    id: str
    system: str
    code: str
    minimum: float
    maximum: float
    source: str
    tag: Tag


class InstrumentsFile(_Model):
    version: str
    painpath_system: str
    intake_questionnaire: str
    instruments: list[Instrument]
    numeric_items: dict[str, str]
    readiness_items: list[str]
    red_flag_items: list[str]
