"""One demo patient's story, told through the clinic services with the clock of each moment.

Every step is a real service call (`import_bundle`, `open_episode`, `transition_episode`,
`add_procedure`, `add_observation`) by the demo coordinator or clinician, with `now` set to
the moment the step happens in the story. The pathway's guards therefore apply as they would
in the clinic (no booking in the past, check-in on the booked day, recovery of at least 30
minutes, visits between the procedure and today), and the episode events and audit rows carry
the story's times. Nothing is written behind the services' back.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from painpath.clinic import (
    Principal,
    add_observation,
    add_procedure,
    import_bundle,
    list_assessments,
    open_episode,
    transition_episode,
)
from painpath.demo._bundles import entries_until
from painpath.demo._types import Member
from painpath.knowledge import load_knowledge

__all__ = ["STAGES", "Story"]

STAGES = (
    "referred",
    "consultation",
    "assessed",
    "planned",
    "scheduled",
    "procedure-day",
    "follow-up",
    "decision",
    "discharged",
)
"""The pathway's states in story order; a story stops at its member's stage (or cancels)."""

_VITALS = ("BP 132/80, HR 74, SpO2 98%", "BP 126/78, HR 70, SpO2 98%")
_AFTERCARE = (
    "Rest today, no driving for 24 hours; watch the site for redness or fever; pain may rise"
    " for a day or two; call the clinic for new weakness, numbness or bladder problems."
)


class Story:
    """Tells one member's story up to their stage (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        member: Member,
        bundle: dict[str, Any],
        *,
        clinician: Principal,
        coordinator: Principal,
        now: datetime,
    ) -> None:
        self.session, self.member, self.bundle = session, member, bundle
        self.clinician, self.coordinator = clinician, coordinator
        self.now = now
        self.episode: dict[str, Any] = {}
        self.procedure_id = ""
        self.procedure_ref: str | None = None

    # -- the clock of the story ---------------------------------------------------------
    def day(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """`hour:minute` UTC on the day `days_ago` days before today; never after now."""
        moment = datetime.combine(
            self.now.date() - timedelta(days=days_ago), time(hour, minute), tzinfo=UTC
        )
        return min(moment, self.now - timedelta(minutes=5))

    def reaches(self, stage: str) -> bool:
        """Whether the member's story goes as far as `stage`."""
        target = "assessed" if self.member.stage == "cancelled" else self.member.stage
        return STAGES.index(target) >= STAGES.index(stage)

    def _not_after_now(self, at: datetime, what: str) -> None:
        """A story never runs ahead of the clock (a cast with impossible days fails loudly)."""
        if at > self.now:
            raise ValueError(f"demo {self.member.key}: {what} at {at.isoformat()} is after now")

    # -- service calls ---------------------------------------------------------------
    def move(
        self, event: str, payload: dict[str, Any], at: datetime, *, desk: bool = False
    ) -> None:
        """Fire one pathway event, as the coordinator (`desk`) or the clinician."""
        self._not_after_now(at, event)
        who = self.coordinator if desk else self.clinician
        version = int(self.episode["version"])
        self.episode = transition_episode(
            self.session, who, int(self.episode["id"]), event, payload, version, now=at
        )

    def observe(self, kind: str, value: float, at: datetime) -> None:
        """Record a pain score or percent relief of `at`, linked to the procedure."""
        self._not_after_now(at, kind)
        add_observation(
            self.session,
            self.clinician,
            self.member.patient_id,
            kind=kind,
            value=value,
            effective=at,
            part_of=self.procedure_ref,
            now=at + timedelta(minutes=2),
        )

    # -- the story -------------------------------------------------------------------
    def tell(self) -> None:
        """Run every step up to the member's stage."""
        m = self.member
        referred = self.day(m.referred_days_ago or (m.assessed or 0) + 14, 10)
        partial = entries_until(self.bundle, referred.date())
        import_bundle(self.session, self.coordinator, partial, now=referred - timedelta(minutes=5))
        payload: dict[str, Any] = {"source": "self-referral", "reason": m.reason}
        if m.referrer is not None:
            payload.update(source="referral", referrer=m.referrer)
            payload["referred_on"] = (referred.date() - timedelta(days=2)).isoformat()
        self.episode = open_episode(
            self.session, self.coordinator, m.patient_id, payload, now=referred
        )
        if self.reaches("consultation"):
            consulted = self.day(m.assessed or 0, 9, 30)
            if len(partial["entry"]) != len(self.bundle["entry"]):
                # the record grew between the referral and the visit: the updated one comes in
                import_bundle(
                    self.session, self.coordinator, self.bundle, now=consulted - timedelta(hours=1)
                )
            self._consult(consulted)
        if self.member.stage == "cancelled":
            self.move("cancel", {"reason": m.outcome}, self._at(55))
        elif self.reaches("planned"):
            self._plan_and_book()

    def _at(self, minutes: int) -> datetime:
        """Minutes after the consultation began (same day)."""
        return self.day(self.member.assessed or 0, 9, 30) + timedelta(minutes=minutes)

    def _consult(self, at: datetime) -> None:
        consult = self.member.consult
        assert consult is not None, self.member.key
        fields = {k: v for k, v in vars(consult).items() if v is not None}
        self.move("consult", fields, at)
        if self.reaches("assessed"):
            self.move("assess", {"as_of": at.date().isoformat()}, at + timedelta(minutes=40))

    def _choose(self, preferred: str) -> str:
        """The plan's procedure: the preferred one if the stored assessment indicates it, else
        the first indicated option (the preferred one when none is: the plan's guards decide)."""
        stored = list_assessments(self.session, self.clinician, self.member.patient_id, limit=1)
        options = stored.items[0]["document"]["options"] if stored.items else []
        indicated = [o["procedure"] for o in options if o.get("indicated")]
        if preferred in indicated or not indicated:
            return preferred
        return str(indicated[0])

    def _plan_and_book(self) -> None:
        m, plan = self.member, self.member.plan
        assert plan is not None and m.assessed is not None, m.key
        procedure = self._choose(plan.procedure)
        self.procedure_id = procedure
        payload: dict[str, Any] = {
            "procedures": [procedure],
            "benefits_discussed": True,
            "risks_discussed": True,
            "alternatives_discussed": True,
        }
        extras = {
            "physical_therapy": plan.physical_therapy,
            "medication_changes": plan.medication_changes,
            "lifestyle": plan.lifestyle,
            "notes": plan.notes,
        }
        payload.update({k: v for k, v in extras.items() if v is not None})
        self.move("plan", payload, self._at(50))
        if not self.reaches("scheduled"):
            return
        assert m.days is not None, m.key
        start = self._start(m.days)
        booking = {"procedure_id": procedure, "start": start.isoformat(), "location": "Suite 2"}
        self.move("schedule", booking, self.day(m.assessed - 1, 11), desk=True)
        if self.reaches("procedure-day"):
            self._procedure_day(start)
        if self.reaches("follow-up"):
            self._follow_up()

    def _start(self, days: int) -> datetime:
        """The booked start: ahead at 10:00, today under two hours ago, or past at 08:00."""
        if days > 0:
            return datetime.combine(self.now.date() + timedelta(days=days), time(10), tzinfo=UTC)
        if days == 0:
            begun = self.now - timedelta(minutes=110)
            return begun.replace(minute=begun.minute - begun.minute % 5, second=0, microsecond=0)
        return self.day(-days, 8)

    def _procedure_day(self, start: datetime) -> None:
        def at(minutes: int) -> datetime:
            return start + timedelta(minutes=minutes)

        self.move("check-in", {"note": "Checked in; consent confirmed."}, start, desk=True)
        steps: list[tuple[str, int, dict[str, Any]]] = [
            ("arrival", 0, {}),
            ("gown", 10, {}),
            *(
                [("iv", 15, {"note": "20G left hand; light sedation"})]
                if self.member.sedation
                else []
            ),
            ("site-prepared", 30, {"note": "Chlorhexidine; lidocaine 1% to the skin"}),
            ("procedure", 40, {"note": "Fluoroscopy-guided; contrast confirmed the spread"}),
            ("recovery", 60, {"vitals": _VITALS[0], "nrs": 2}),
            ("recovery-check", 85, {"vitals": _VITALS[1], "nrs": 1}),
            ("discharge", 100, {"aftercare": _AFTERCARE}),
        ]
        for step, minutes, details in steps:
            if step == "discharge" and not self.reaches("follow-up"):
                return  # still in recovery: the day stays open
            self.move(
                "record-step", {"step": step, "at": at(minutes).isoformat(), **details}, at(minutes)
            )
            if step == "procedure":
                self._record_procedure(at(minutes))
                self.observe("nrs", 6, at(0))  # the pain score taken on arrival
            elif step in ("recovery", "recovery-check"):
                self.observe("nrs", details["nrs"], at(minutes))
        self.move("complete-procedure-day", {"note": "Home with a companion."}, at(105))

    def _record_procedure(self, performed: datetime) -> None:
        spec = load_knowledge().procedures[self.procedure_id]
        resource = add_procedure(
            self.session,
            self.clinician,
            self.member.patient_id,
            cpt=spec.cpt.codes[0],
            performed=performed,
            display=spec.name,
            now=performed + timedelta(minutes=5),
        )
        self.procedure_ref = f"Procedure/{resource['id']}"

    def _follow_up(self) -> None:
        m = self.member
        last = self.now
        for visit in m.visits:
            last = self.day(visit.days_ago, 14)
            payload: dict[str, Any] = {
                "visit_date": last.date().isoformat(),
                "response": visit.response,
                "relief_percent": visit.relief,
                "nrs": visit.nrs,
            }
            optional = {
                "relief_duration_days": visit.duration_days,
                "relief_ongoing": visit.ongoing,
                "notes": visit.notes,
            }
            payload.update({k: v for k, v in optional.items() if v is not None})
            self.move("record-visit", payload, last)
            self.observe("percent-relief", visit.relief, last)
            self.observe("nrs", visit.nrs, last)
        if self.reaches("decision"):
            self.move("review", {"summary": m.summary}, last + timedelta(minutes=20))
        if self.reaches("discharged"):
            decision = {"reason": m.outcome, "instructions": m.instructions}
            self.move("discharge", decision, last + timedelta(minutes=30))
