"""`painpath synth`: a synthetic FHIR Bulk Data export (NDJSON) of any size, written as it goes.

Files follow the Bulk Data naming (`Patient.000.ndjson`, `Condition.000.ndjson`, ...); a new
part starts every `part_patients` patients, so a large export is split into files of bounded
size that Spark reads in parallel. Nothing is kept in memory beyond one patient and the open
files' buffers. The same seed, size, part size and as-of date give the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import orjson

from painpath.errors import InputError
from painpath.knowledge import Knowledge, load_knowledge
from painpath.population._synth_codes import synth_codes
from painpath.population._synth_patient import patient_resources

__all__ = ["SynthStats", "synthesize"]

_BUFFER = 1 << 20


@dataclass
class SynthStats:
    """What was written: patients, resources per type, bytes, files."""

    patients: int = 0
    resources: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    files: list[Path] = field(default_factory=list)


class _Parts:
    """The open `Type.NNN.ndjson` files of the current part."""

    def __init__(self, folder: Path, stats: SynthStats) -> None:
        self.folder, self.stats = folder, stats
        self.part = -1
        self.open: dict[str, BinaryIO] = {}

    def next_part(self) -> None:
        self.close()
        self.part += 1

    def write(self, rtype: str, line: bytes) -> None:
        handle = self.open.get(rtype)
        if handle is None:
            path = self.folder / f"{rtype}.{self.part:03d}.ndjson"
            handle = self.open[rtype] = path.open("wb", buffering=_BUFFER)
            self.stats.files.append(path)
        handle.write(line)

    def close(self) -> None:
        for handle in self.open.values():
            handle.close()
        self.open = {}


def synthesize(
    folder: Path,
    patients: int,
    *,
    seed: int = 0,
    as_of: date,
    part_patients: int = 50_000,
    knowledge: Knowledge | None = None,
    progress: Callable[[int], None] | None = None,
) -> SynthStats:
    """Write `patients` synthetic patients into `folder` (created if missing; must hold no
    NDJSON yet) as a Bulk Data export whose records are dated up to `as_of`.

    Raises InputError for a bad size or a folder that already holds an export.
    """
    if patients < 1:
        raise InputError(f"--patients {patients} is too small", "--patients", "at least 1")
    if part_patients < 1:
        raise InputError("part size must be positive", "--part-patients", "at least 1")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder ({exc.strerror})", str(folder)) from None
    if any(folder.glob("*.ndjson")):
        raise InputError("the folder already holds NDJSON files", str(folder), "an empty folder")
    codes = synth_codes(knowledge if knowledge is not None else load_knowledge())
    rng = random.Random(seed)
    stats = SynthStats()
    counts = stats.resources
    parts = _Parts(folder, stats)
    dumps = orjson.dumps
    try:
        for index in range(patients):
            if index % part_patients == 0:
                parts.next_part()
            for res in patient_resources(rng, index, as_of, codes):
                rtype = res["resourceType"]
                line = dumps(res) + b"\n"
                parts.write(rtype, line)
                counts[rtype] = counts.get(rtype, 0) + 1
                stats.bytes += len(line)
            stats.patients += 1
            if progress is not None and (index + 1) % 1000 == 0:
                progress(1000)
    finally:
        parts.close()
    if progress is not None and patients % 1000:
        progress(patients % 1000)
    return stats
