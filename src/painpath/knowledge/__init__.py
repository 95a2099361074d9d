"""painpath's clinical knowledge: versioned, cited data files, their schema and their loader."""

from painpath.knowledge._codes import CodeMatcher, normalize_icd
from painpath.knowledge._loader import DATA_DIR, Knowledge, load_instruments, load_knowledge
from painpath.knowledge._outcomes import DiaryProtocol, OutcomesFile, load_outcomes
from painpath.knowledge._validate import CANONICAL_PROCEDURES

__all__ = [
    "CANONICAL_PROCEDURES",
    "DATA_DIR",
    "CodeMatcher",
    "DiaryProtocol",
    "Knowledge",
    "OutcomesFile",
    "load_instruments",
    "load_knowledge",
    "load_outcomes",
    "normalize_icd",
]
