"""painpath's errors: one small hierarchy, each carrying what, where and what was expected.

    PainpathError
    ├── InputError            bad input from outside (exit 2, HTTP 400/422)
    │   └── FhirInputError    a FHIR Bundle / NDJSON that painpath cannot read
    └── KnowledgeError        the knowledge base failed validation (a packaging bug)

Messages never carry PHI beyond resource ids and JSON paths.
"""

from __future__ import annotations

__all__ = ["FhirInputError", "InputError", "KnowledgeError", "PainpathError"]


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
