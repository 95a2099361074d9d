"""Decision support: pure functions (record, knowledge, as_of) -> findings, and the assessment."""

from painpath.engine.assessment import SCHEMA_ID, assess_record
from painpath.engine.status import STATUSES

__all__ = ["SCHEMA_ID", "STATUSES", "assess_record"]
