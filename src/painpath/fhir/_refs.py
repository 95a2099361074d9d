"""Resolving FHIR references to the resources of one patient's record.

A reference resolves (decision-rules §0, FHIR R4 §2.3.0.3 "Resolving references
in Bundles"):

1. by an entry's `fullUrl` (absolute URLs and `urn:uuid:` alike);
2. as a literal `Type/id` (relative, optionally `.../_history/n`);
3. as an absolute URL ending in `Type/id`;
4. `#id` names a resource in the referring resource's `contained` list.

Every resolved reference is reported as its key `Type/id`, the form the domain
record uses (`Observation.part_of`).
"""

from __future__ import annotations

from collections.abc import Mapping

from painpath.fhir._types import Json

__all__ = ["Index", "literal_key", "patient_id_of"]


def literal_key(ref: str) -> str | None:
    """`Type/id` of a relative or absolute literal reference; None for `urn:`/`#` or junk."""
    if ref.startswith(("urn:", "#")):
        return None
    parts = ref.split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) < 2:
        return None
    rtype, rid = parts[-2], parts[-1]
    if not rid or not rtype[:1].isupper() or not rtype.isalpha() or not rtype.isascii():
        return None
    if "://" not in ref and len(parts) != 2:
        return None
    return f"{rtype}/{rid}"


def patient_id_of(ref: str) -> str | None:
    """The Patient id a subject reference names: `Patient/id`, `urn:uuid:id` or a URL.

    In a Bulk Data export (and in a Bundle whose `urn:uuid:` reference matches no
    entry) `urn:uuid:X` names the Patient whose id is X, as Synthea writes it.
    """
    if ref.startswith("Patient/"):
        rid = ref[8:]
        if rid and "/" not in rid:
            return rid
    elif ref.startswith("urn:uuid:"):
        return ref[9:] or None
    key = literal_key(ref)
    if key is not None and key.startswith("Patient/"):
        return key[8:]
    return None


class Index:
    """The resources one record can reference, by key `Type/id` and by fullUrl.

    `shared` holds resources outside the patient's compartment that any record may
    name (a Bulk export's Medication resources). `misses` counts the references that
    did not resolve, so that a reader streaming an export can tell whether a resource
    read before its targets arrived must be read again.
    """

    __slots__ = ("by_key", "by_url", "misses", "shared")

    def __init__(
        self,
        by_key: Mapping[str, Json],
        by_url: Mapping[str, str] | None = None,
        shared: Mapping[str, Json] | None = None,
    ) -> None:
        self.by_key = by_key
        self.by_url: Mapping[str, str] = by_url or {}
        self.shared: Mapping[str, Json] = shared or {}
        self.misses = 0

    def key(self, ref: str) -> str | None:
        """The `Type/id` a reference names (whether or not that resource is present)."""
        found = self.by_url.get(ref)
        if found is not None:
            return found
        return literal_key(ref)

    def resolve(self, ref: str, container: Json | None = None) -> Json | None:
        """The referenced resource, or None when it is not in the record (or was ignored)."""
        if ref.startswith("#"):
            if container is None:
                return None
            contained = container.get("contained")
            if isinstance(contained, list):
                for res in contained:
                    if isinstance(res, dict) and res.get("id") == ref[1:]:
                        return res
            return None
        key = self.key(ref)
        found = None if key is None else self.by_key.get(key) or self.shared.get(key)
        if found is None:
            self.misses += 1
        return found
