"""The shapes of the demo's patient stories: consultation, plan, follow-up visits, member."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Consult", "Member", "Plan", "Visit"]


@dataclass(frozen=True)
class Consult:
    """What the consultation records (the `consult` event's fields)."""

    history: str
    previous_treatments: str
    symptoms: str
    exam: str
    imaging: str | None = None
    tests_ordered: str | None = None


@dataclass(frozen=True)
class Plan:
    """The treatment plan: the preferred procedure plus complementary care."""

    procedure: str
    physical_therapy: str | None = None
    medication_changes: str | None = None
    lifestyle: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Visit:
    """A follow-up visit: days ago, response, percent relief, NRS, relief duration."""

    days_ago: int
    response: str
    relief: int
    nrs: int
    duration_days: int | None = None
    ongoing: bool | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Member:
    """One demo patient and the story of their episode.

    `source` is `vignette:<name>` or `synthea:<File_Prefix>`; `stage` the pathway state the
    story ends in. Days count back from the day the demo is loaded: `referred_days_ago` (the
    referral; default two weeks before the assessment), `assessed` (consultation and
    assessment day, the record's reference day; None: today, not assessed yet) and `days`
    the procedure day (negative: past, 0: today, positive: booked ahead). `referrer` None is
    a self-referral; `outcome` the cancellation or discharge reason; `login` the email of
    the patient's own account, if any.
    """

    key: str
    source: str
    given: str
    family: str
    stage: str
    reason: str
    referrer: str | None = "Primary care"
    referred_days_ago: int | None = None
    assessed: int | None = None
    consult: Consult | None = None
    plan: Plan | None = None
    days: int | None = None
    sedation: bool = False
    visits: tuple[Visit, ...] = field(default_factory=tuple)
    summary: str | None = None
    outcome: str | None = None
    instructions: str | None = None
    login: str | None = None

    @property
    def patient_id(self) -> str:
        """The demo's patient id (distinct from the vignette's own, which users may import)."""
        return f"demo-{self.key}"
