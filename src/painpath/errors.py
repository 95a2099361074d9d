"""painpath's errors: one small hierarchy, each carrying what, where and what was expected.

    PainpathError
    ├── InputError            bad input from outside (exit 2, HTTP 400/422)
    │   └── FhirInputError    a FHIR Bundle / NDJSON that painpath cannot read
    ├── KnowledgeError        the knowledge base failed validation (a packaging bug)
    ├── PathwayError          a care-pathway move that is not allowed (exit 2, HTTP 409/422)
    ├── AuthError             not signed in, or wrong credentials (HTTP 401)
    ├── AccessDenied          signed in, but not allowed to do this (HTTP 403)
    ├── NotFound              no such patient, episode, document or user (HTTP 404)
    ├── StoreError            the database cannot do what was asked (unreachable, refused)
    │   └── ConflictError     a stale version or a duplicate (HTTP 409)
    └── RateLimited           too many failed logins; retry later (HTTP 429)

Messages never carry PHI beyond resource ids and JSON paths.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AuthError",
    "ConflictError",
    "FhirInputError",
    "InputError",
    "KnowledgeError",
    "NotFound",
    "PainpathError",
    "PathwayError",
    "RateLimited",
    "StoreError",
]


class PainpathError(Exception):
    """Base class of every error painpath raises on purpose."""

    exit_code = 1

    def __init__(self, what: str, where: str | None = None, expected: str | None = None) -> None:
        self.what = what
        self.where = where
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: where: what (expected ...)."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class InputError(PainpathError):
    """Input from outside painpath is not acceptable; nothing was saved or printed."""

    exit_code = 2


class FhirInputError(InputError):
    """A FHIR Bundle or NDJSON resource breaks a rule painpath reads by (decision-rules §7)."""


class KnowledgeError(PainpathError):
    """The knowledge base is inconsistent; carries every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems[:20]) + (" ..." if len(problems) > 20 else ""))


class AuthError(PainpathError):
    """No valid credentials: a missing, expired or revoked token, or a wrong password."""


class AccessDenied(PainpathError):
    """The signed-in user's role (or patient/clinic) does not allow the operation; audited."""


class NotFound(PainpathError):
    """The named patient, episode, document or user does not exist."""


class StoreError(PainpathError):
    """The database refused or cannot do what was asked; the transaction was rolled back."""


class ConflictError(StoreError):
    """The write was refused: a stale `version` (someone changed it first) or a duplicate."""


class RateLimited(PainpathError):
    """Too many failed logins for this account or address; `retry_after` is in seconds."""

    def __init__(self, what: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(what, "login", f"a retry after {retry_after} s")


class PathwayError(PainpathError):
    """An episode of care cannot make this move: the event is not allowed from its state, the
    payload breaks the event's field rules (`field` names the field), or a guard refused it.

    `code` says which: `unknown-state`, `illegal-event`, `invalid-payload`, `guard-failed`,
    or `invalid-data` (the stored episode data is malformed).
    """

    exit_code = 2

    def __init__(
        self,
        what: str,
        where: str | None = None,
        expected: str | None = None,
        *,
        code: str = "illegal-event",
        field: str | None = None,
    ) -> None:
        self.code = code
        self.field = field
        super().__init__(what, where, expected)
