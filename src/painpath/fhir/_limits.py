"""Shape limits of incoming FHIR JSON, checked before anything walks it recursively or stores it.

A parsed document can still be hostile: nested thousands of levels deep (recursive code,
such as the importer's reference rewrite, then runs out of stack), or carry text no
database column holds (a lone UTF-16 surrogate, which cannot be encoded as UTF-8; a NUL,
which PostgreSQL refuses in text and jsonb). FHIR strings may not hold control characters
below U+0020 other than tab, line feed and carriage return (R4 §2.24.0.1, `string`), so
those are refused too, and a Bundle of more than `MAX_BUNDLE_ENTRIES` entries.
`check_json_limits` walks the document once, without recursion, and raises `FhirInputError`
naming the JSON path of the first offending value (never the value).
"""

from __future__ import annotations

import re
from typing import Any

from painpath.errors import FhirInputError

__all__ = ["MAX_BUNDLE_ENTRIES", "MAX_JSON_DEPTH", "check_json_limits"]

MAX_BUNDLE_ENTRIES = 20_000
"""The most entries an imported Bundle may hold. A Synthea patient's lifetime record holds
about 1000 entries per MB, so the 5 MiB request limit already stops real records near 5000;
this stops a body of tiny entries (10^5 fit in 5 MiB) from costing minutes and 0.5 GB."""

MAX_JSON_DEPTH = 64
"""The deepest nesting of objects and arrays accepted (a real FHIR resource stays under 20)."""

_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _path(parts: tuple[str | int, ...]) -> str:
    """The JSON path (`entry[0].resource.name[0]`), its middle elided past 12 steps."""
    text = ""
    shown = (*parts[:8], "...", *parts[-3:]) if len(parts) > 12 else parts
    for part in shown:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"


def _check_text(text: str, parts: tuple[str | int, ...]) -> None:
    found = _BAD_CHAR.search(text)
    if found is None:
        return
    code = ord(found.group())
    what = "a lone UTF-16 surrogate" if code >= 0xD800 else f"control character U+{code:04X}"
    raise FhirInputError(
        f"text holds {what}", _path(parts), "Unicode text without control characters"
    )


def check_json_limits(document: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise FhirInputError if `document` nests deeper than `max_depth`, holds bad text, or
    is a Bundle of more than `MAX_BUNDLE_ENTRIES` entries."""
    entries = document.get("entry") if isinstance(document, dict) else None
    if isinstance(entries, list) and len(entries) > MAX_BUNDLE_ENTRIES:
        raise FhirInputError(
            f"{len(entries)} entries", "entry", f"at most {MAX_BUNDLE_ENTRIES} in one Bundle"
        )
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(document, 1, ())]
    while stack:
        node, depth, parts = stack.pop()
        if isinstance(node, str):
            _check_text(node, parts)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise FhirInputError(
                "nested too deeply", _path(parts), f"at most {max_depth} levels of objects/arrays"
            )
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str):
                    _check_text(key, parts)
                stack.append((value, depth + 1, (*parts, str(key))))
        else:
            stack.extend((value, depth + 1, (*parts, i)) for i, value in enumerate(node))
