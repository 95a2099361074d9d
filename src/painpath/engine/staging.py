"""Staging: diagnostic before therapeutic, trial before implant (decision-rules §3.1).

Each prerequisite rule is a small function registered by the key that procedures.yaml names
in `prerequisite`. A rule returns whether the procedure's own prerequisites hold, the reason
in a clinician's words, and a next step when something must be recorded first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from painpath.engine._context import Context, Session
from painpath.engine._dates import within_months
from painpath.engine.response import Relief, session_relief
from painpath.knowledge._schema import Procedure

__all__ = ["PREREQUISITES", "BlockHistory", "Prerequisite", "block_history", "scs_history"]


@dataclass(frozen=True, slots=True)
class Prerequisite:
    met: bool
    reason: str
    evidence: tuple[str, ...] = ()
    next_step: str | None = None
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class BlockHistory:
    """Facet block sessions of a region within the lookback, newest first, with their relief."""

    blocks: tuple[tuple[Session, Relief], ...]
    threshold: float
    last_rfa: tuple[Session, Relief] | None

    @property
    def two_positive(self) -> bool:
        recent = self.blocks[:2]
        return len(recent) == 2 and all(
            r.percent is not None and r.percent >= self.threshold for _, r in recent
        )

    @property
    def positive_count(self) -> int:
        return sum(
            1 for _, r in self.blocks if r.percent is not None and r.percent >= self.threshold
        )

    def describe(self) -> str:
        parts = [
            f"{s.day.isoformat()}: "
            + ("relief not recorded" if r.percent is None else f"{r.percent:.4g}%")
            for s, r in self.blocks[:2]
        ]
        return "; ".join(parts) if parts else "none recorded"

    @property
    def evidence(self) -> tuple[str, ...]:
        refs: list[str] = []
        for session, relief in self.blocks[:2]:
            refs.extend(session.refs)
            refs.extend(relief.evidence)
        return tuple(refs)


def block_history(ctx: Context, region: str) -> BlockHistory:
    """Medial branch / facet block sessions of `region` within the lookback (newest first);
    memoized per record (the prerequisite and a payer criterion both ask)."""
    key = ("block-history", region)
    found: BlockHistory | None = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = _block_history(ctx, region)
    return found


def _block_history(ctx: Context, region: str) -> BlockHistory:
    kb = ctx.kb
    months = int(kb.number("facet-block-lookback-months"))
    sessions = [
        s for s in ctx.sessions_of("facet-block", region) if within_months(s.day, ctx.as_of, months)
    ]
    blocks = tuple((s, session_relief(ctx, s)) for s in reversed(sessions))
    rfa_months = int(kb.number("rfa-repeat-lookback-months"))
    rfas = [
        s
        for s in ctx.sessions_of("facet-rfa", region)
        if within_months(s.day, ctx.as_of, rfa_months)
    ]
    last_rfa = (rfas[-1], session_relief(ctx, rfas[-1])) if rfas else None
    return BlockHistory(blocks, kb.number("facet-block-positive-percent"), last_rfa)


def _region(proc: Procedure) -> str:
    return proc.region


def _record_block_step(session: Session) -> str:
    """The one next step for a block without recorded relief (shared by MBB and RFA)."""
    return (
        f"Record the relief of the block of {session.day.isoformat()} before deciding on another "
        "block or an ablation."
    )


def _facet_rfa(ctx: Context, proc: Procedure) -> Prerequisite:
    history = block_history(ctx, _region(proc))
    citation = "cgs-l38773-rfa"
    if history.last_rfa is not None:
        session, relief = history.last_rfa
        needed = ctx.kb.number("rfa-repeat-relief-percent")
        refs = (*session.refs, *relief.evidence)
        if relief.percent is None:
            return Prerequisite(
                False,
                "Repeat ablation: no relief recorded after the ablation of "
                f"{session.day.isoformat()}",
                refs,
                f"Record the relief after the ablation of {session.day.isoformat()}.",
                "cms-lcd-l38801",
            )
        ok = relief.percent >= needed
        return Prerequisite(
            ok,
            f"Repeat ablation: the ablation of {session.day.isoformat()} gave "
            f"{relief.percent:.4g}% relief ({'at least' if ok else 'below'} {needed:.4g}%)",
            refs,
            None,
            "cms-lcd-l38801",
        )
    threshold = history.threshold
    if history.two_positive:
        return Prerequisite(
            True,
            f"Two medial branch blocks with at least {threshold:.4g}% relief "
            f"({history.describe()})",
            history.evidence,
            None,
            citation,
        )
    unknown = next((s for s, r in history.blocks[:2] if r.percent is None), None)
    return Prerequisite(
        False,
        f"Needs two medial branch blocks with at least {threshold:.4g}% relief "
        f"(found {history.positive_count}: {history.describe()})",
        history.evidence,
        _record_block_step(unknown) if unknown else None,
        citation,
    )


def _facet_mbb(ctx: Context, proc: Procedure) -> Prerequisite:
    history = block_history(ctx, _region(proc))
    threshold = history.threshold
    if history.two_positive:
        return Prerequisite(
            False,
            f"Diagnostic phase complete: two blocks with at least {threshold:.4g}% relief "
            f"({history.describe()})",
            history.evidence,
            None,
            "cgs-l38773-rfa",
        )
    if history.blocks:
        session, relief = history.blocks[0]
        refs = (*session.refs, *relief.evidence)
        if relief.percent is None:
            return Prerequisite(
                False,
                f"The block of {session.day.isoformat()} has no recorded relief",
                refs,
                _record_block_step(session),
                "cgs-facet-opd",
            )
        if relief.percent < threshold:
            return Prerequisite(
                False,
                f"The most recent block ({session.day.isoformat()}) gave {relief.percent:.4g}% "
                f"relief, below {threshold:.4g}%: the facet joints are not shown to be the pain "
                "source",
                refs,
                None,
                "cgs-facet-opd",
            )
        return Prerequisite(
            True,
            f"Confirmatory block: the block of {session.day.isoformat()} gave "
            f"{relief.percent:.4g}% relief",
            refs,
            None,
            "cgs-facet-opd",
        )
    return Prerequisite(True, "First diagnostic block", (), None, "cgs-facet-opd")


def _facet_ia(ctx: Context, proc: Procedure) -> Prerequisite:
    history = block_history(ctx, _region(proc))
    threshold = history.threshold
    ok = history.two_positive
    return Prerequisite(
        ok,
        ("Two" if ok else "Needs two")
        + f" diagnostic blocks with at least {threshold:.4g}% relief ({history.describe()})",
        history.evidence,
        None,
        "cgs-facet-opd",
    )


@dataclass(frozen=True)
class ScsHistory:
    trials: tuple[tuple[Session, Relief], ...]  # oldest first
    implant: str | None  # date of a permanent implant
    implant_refs: tuple[str, ...] = field(default=())


def scs_history(ctx: Context) -> ScsHistory:
    """SCS trials (63650 with no 63685 the same day) and any permanent implant (63685, 63655);
    memoized per record."""
    found: ScsHistory | None = ctx.memo.get("scs-history")
    if found is None:
        found = ctx.memo["scs-history"] = _scs_history(ctx)
    return found


def _scs_history(ctx: Context) -> ScsHistory:
    implant_codes = set(ctx.kb.session_families["scs-implant"].cpt.codes)
    implants = sorted(
        (p.performed.day, p.id)
        for p, cpt in ctx.procedures
        if cpt in implant_codes and p.performed is not None
    )
    implant_days = {day for day, _ in implants}
    trials = tuple(
        (s, session_relief(ctx, s))
        for s in ctx.sessions_of("scs-trial")
        if s.day not in implant_days
    )
    if implants:
        day, pid = implants[-1]
        return ScsHistory(trials, day.isoformat(), (f"Procedure/{pid}",))
    return ScsHistory(trials, None)


def _sud(ctx: Context) -> list[str]:
    return [c.ref for c in ctx.matching(ctx.kb.codes("substance-use-disorder"))]


def _scs(ctx: Context, proc: Procedure) -> Prerequisite:
    history = scs_history(ctx)
    success = ctx.kb.number("scs-trial-success-percent")
    if history.implant is not None:
        return Prerequisite(
            False, f"A stimulator was implanted on {history.implant}", history.implant_refs
        )
    sud = _sud(ctx)
    if sud:
        return Prerequisite(
            False,
            "Active substance use disorder: a contraindication to spinal cord stimulation",
            tuple(sud),
            None,
            "cms-lcd-l37632",
        )
    last = history.trials[-1] if history.trials else None
    if last is not None and last[1].percent is None:
        return Prerequisite(
            False,
            f"The stimulator trial of {last[0].day.isoformat()} has no recorded relief",
            (*last[0].refs, *last[1].evidence),
            f"Record the relief of the stimulator trial of {last[0].day.isoformat()}.",
            "cms-lcd-l37632",
        )
    if proc.purpose == "trial":
        if last is None:
            return Prerequisite(True, "No stimulator trial yet", (), None, "cms-ncd-160-7")
        relief = last[1].percent
        assert relief is not None
        refs = (*last[0].refs, *last[1].evidence)
        if relief >= success:
            return Prerequisite(
                False,
                f"The trial of {last[0].day.isoformat()} succeeded ({relief:.4g}%): the next step "
                "is the permanent implant",
                refs,
                None,
                "cms-lcd-l37632",
            )
        return Prerequisite(
            False,
            f"The trial of {last[0].day.isoformat()} failed ({relief:.4g}%, below {success:.4g}%); "
            "a failed trial is not repeated",
            refs,
            None,
            "cms-lcd-l37632",
        )
    if last is None:
        return Prerequisite(
            False, "Needs a successful stimulator trial first", (), None, "cms-ncd-160-7"
        )
    relief = last[1].percent
    assert relief is not None
    ok = relief >= success
    return Prerequisite(
        ok,
        f"The most recent trial ({last[0].day.isoformat()}) gave {relief:.4g}% relief "
        f"({'at least' if ok else 'below'} {success:.4g}%)",
        (*last[0].refs, *last[1].evidence),
        None,
        "cms-lcd-l37632",
    )


PREREQUISITES: dict[str, Callable[[Context, Procedure], Prerequisite]] = {
    "facet-ia": _facet_ia,
    "facet-mbb": _facet_mbb,
    "facet-rfa": _facet_rfa,
    "scs-implant": _scs,
    "scs-trial": _scs,
}
