"""Medications: RxNorm -> ingredients, strengths from normalized names, and the active test.

decision-rules §0 (Medications) and §7 (Active medication).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain import Coding, Medication
from painpath.knowledge import Knowledge

__all__ = [
    "RXNORM",
    "ResolvedMedication",
    "is_active",
    "resolve",
    "strength_of",
]

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_MAX_MEMO = 50_000
_WORD = re.compile(r"[a-z]+")
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(MG/HR|MCG/HR|MG/ML|MCG/ML|MG|MCG|UG)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ResolvedMedication:
    """A medication with the ingredients painpath knows in it (lower-case names)."""

    med: Medication
    ingredients: tuple[str, ...]
    rxnorm_coded: bool
    names: tuple[str, ...]  # normalized names (displays) seen, for strength parsing
    transdermal: bool

    @property
    def unrecognised(self) -> bool:
        return self.rxnorm_coded and not self.ingredients


def _names_in(text: str, kb: Knowledge) -> list[str]:
    salts = _salt_words(kb)
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word in salts:
            continue
        if word in kb.ingredients_by_name and word not in found:
            found.append(word)
    return found


def _salt_words(kb: Knowledge) -> frozenset[str]:
    memo = kb.cache("salt-words")
    salts = memo.get("all")
    if salts is None:
        salts = memo["all"] = frozenset(kb.drugs.salt_words)
    return salts


def resolve(med: Medication, kb: Knowledge) -> ResolvedMedication:
    """Map a medication's codings to ingredient names (decision-rules §0); memoized by concept."""
    codings: tuple[Coding, ...] = med.codings + med.ingredient_codings
    memo = kb.cache("medication-concepts")
    key = (codings, med.text)
    found = memo.get(key)
    if found is None:
        found = _resolve(codings, med.text, kb)
        if len(memo) >= _MAX_MEMO:
            memo.clear()
        memo[key] = found
    return ResolvedMedication(med, *found)


def _resolve(
    codings: tuple[Coding, ...], text: str | None, kb: Knowledge
) -> tuple[tuple[str, ...], bool, tuple[str, ...], bool]:
    rx = [c for c in codings if c.system == RXNORM and c.code]
    found: list[str] = []
    transdermal = False
    for coding in rx:
        assert coding.code is not None
        ingredient = kb.ingredients_by_rxcui.get(coding.code)
        if ingredient is not None:
            if ingredient.name not in found:
                found.append(ingredient.name)
            continue
        product = kb.products_by_rxcui.get(coding.code)
        if product is not None:
            transdermal = transdermal or product.transdermal
            found.extend(i for i in product.ingredients if i not in found)
    names = tuple(c.display for c in codings if c.display)
    texts = [*names, *([text] if text else [])]
    if not found:
        for name in texts:
            found.extend(n for n in _names_in(name, kb) if n not in found)
    if any("transdermal" in t.lower() for t in texts):
        transdermal = True
    return tuple(found), bool(rx), tuple(texts), transdermal


def strength_of(resolved: ResolvedMedication, ingredient: str) -> tuple[float, str] | None:
    """The strength of `ingredient` in the product's normalized name, e.g. (0.075, 'MG/HR')."""
    for name in resolved.names:
        for part in name.split("/ "):
            lowered = part.lower()
            at = lowered.find(ingredient)
            if at < 0:
                continue
            match = _STRENGTH.search(part, at)
            if match:
                return float(match.group(1)), match.group(2).upper()
    return None


def is_active(med: Medication, as_of: date, default_days: float) -> bool:
    """decision-rules §7: an active order or statement on `as_of`."""
    if med.status != "active":
        return False
    if med.kind == "request":
        if med.authored is None or med.authored > as_of:
            return False
        if med.validity is not None and (med.validity.start or med.validity.end):
            return med.validity.covers(as_of)
        return as_of - timedelta(days=default_days) <= med.authored
    period = med.effective
    if period is None:
        return False
    if med.effective_is_datetime and period.start is not None:
        return as_of - timedelta(days=default_days) <= period.start <= as_of
    if period.end is None:
        return period.start is None or period.start <= as_of
    return period.covers(as_of)
