"""The edge input types of `painpath.fhir`: parsed JSON as plain dicts, and where it came from.

FHIR arrives as JSON; painpath parses it with orjson into plain dicts and lists and
never builds a full FHIR model. These aliases name those shapes once.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Json", "Located"]

Json = dict[str, Any]
"""One parsed JSON object (a resource or an element of one)."""


class Located(NamedTuple):
    """A resource to read, its id, and where it was found (for error messages).

    `origin` is a JSON path such as `entry[4].resource` or a file and line such as
    `Condition.000.ndjson line 12`.
    """

    resource: Json
    id: str
    origin: str
