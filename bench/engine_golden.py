"""Golden output of `painpath.assess` over every input the engine benchmarks use.

Run before and after an engine change and compare the two files byte for byte:

    .venv/bin/python bench/engine_golden.py /tmp/before.jsonl
    .venv/bin/python bench/engine_golden.py /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl

Inputs: the vignettes, the Synthea bundles (as_of 2026-06-01 and 2021-04-01) and 2,000 small
synthetic patients (`painpath synth --seed 0`, written to a temporary folder unless --synth
names one), each with payer `cms` and `none`. One line per (input, as_of, payer): its label,
then the orjson document or the input error's message.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from _synth_patients import synth_bundles, write_synth

from painpath import PAYERS, InputError, assess
from painpath.knowledge import load_knowledge

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SYNTHEA = SHARED / "data/synthea-smart-generated-sample-data-r4/bundles"


def inputs(synth: Path) -> Iterator[tuple[str, dict[str, Any], date]]:
    for path in sorted((SHARED / "vignettes").glob("*.bundle.json")):
        yield f"vignette/{path.name}", orjson.loads(path.read_bytes()), date(2026, 6, 1)
    for path in sorted(SYNTHEA.glob("*.json")):
        bundle = orjson.loads(path.read_bytes())
        for as_of in (date(2026, 6, 1), date(2021, 4, 1)):
            yield f"synthea/{path.name}", bundle, as_of
    for pid, bundle in synth_bundles(synth):
        yield f"synth/{pid}", bundle, date(2026, 6, 1)


def dump(out: Path, synth: Path) -> int:
    kb = load_knowledge()
    n = 0
    with out.open("wb") as fh:
        for label, bundle, as_of in inputs(synth):
            for payer in PAYERS:
                head = f"{label} {as_of.isoformat()} {payer}\t".encode()
                try:
                    body = orjson.dumps(assess(bundle, as_of=as_of, payer=payer, knowledge=kb))
                except InputError as exc:
                    body = f"InputError: {exc.message}".encode()
                fh.write(head + body + b"\n")
                n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--synth", type=Path, default=None, help="an existing synth export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        synth = args.synth
        if synth is None:
            synth = Path(tmp)
            write_synth(synth)
        print(f"{dump(args.out, synth)} documents written to {args.out}")


if __name__ == "__main__":
    main()
