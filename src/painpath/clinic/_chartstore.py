"""Drawn charts kept in the database under the digest of what they show (`stored_chart`).

A key digests a chart's inputs (the figures it draws, the renderer's revision): a chart is
stored by the first view of its figures and found by that key afterwards, by any worker,
and a chart of other figures is never found under it. The rows are a cache: keys are
clinic-scoped, callers check access first, and only the newest `KEEP` rows per clinic,
chart and patient stay (older figures are drawn again if ever asked for).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from painpath.store import StoredChart

__all__ = ["KEEP", "find_charts", "store_chart"]

KEEP = 8
"""Stored charts kept per (clinic, chart name, patient): the newest."""


def find_charts(session: Session, clinic_id: int, keys: Iterable[str]) -> dict[str, bytes]:
    """The stored charts of the clinic among `keys`, by key (missing keys left out)."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = session.execute(
        select(StoredChart.key, StoredChart.content).where(
            StoredChart.clinic_id == clinic_id, StoredChart.key.in_(wanted)
        )
    )
    return {key: bytes(content) for key, content in rows}


def store_chart(
    session: Session,
    clinic_id: int,
    name: str,
    key: str,
    content: bytes,
    *,
    now: datetime,
    patient_id: str | None = None,
    content_type: str = "image/svg+xml",
) -> None:
    """Keep a drawn chart under its key (a key already stored, by this or another worker, is
    left as it is: the same key draws the same bytes), then drop the clinic's older rows of
    the same chart and patient beyond `KEEP`."""
    values = {
        "clinic_id": clinic_id,
        "patient_id": patient_id,
        "name": name,
        "key": key,
        "content_type": content_type,
        "content": content,
        "created_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(StoredChart)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["clinic_id", "key"])
    )
    same = (
        (StoredChart.clinic_id == clinic_id)
        & (StoredChart.name == name)
        & (
            StoredChart.patient_id.is_(None)
            if patient_id is None
            else StoredChart.patient_id == patient_id
        )
    )
    newest = select(StoredChart.id).where(same).order_by(StoredChart.id.desc()).limit(KEEP)
    session.execute(
        delete(StoredChart)
        .where(same, StoredChart.id.not_in(newest))
        .execution_options(synchronize_session=False)
    )
