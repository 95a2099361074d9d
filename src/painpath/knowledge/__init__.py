"""painpath's clinical knowledge: versioned, cited data files, their schema and their loader."""

from painpath.knowledge._codes import CodeMatcher, normalize_icd
from painpath.knowledge._loader import DATA_DIR, Knowledge, load_instruments, load_knowledge
from painpath.knowledge._validate import CANONICAL_PROCEDURES

__all__ = [
    "CANONICAL_PROCEDURES",
    "DATA_DIR",
    "CodeMatcher",
    "Knowledge",
    "load_instruments",
    "load_knowledge",
    "normalize_icd",
]
