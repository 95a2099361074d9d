"""Population screening of FHIR Bulk Data exports (NDJSON): DuckDB in-process, Spark for scale.

    synthesize(folder, patients, seed=, as_of=)   a synthetic export of any size
    screen_documents(folder, Screening(as_of=))   each kept patient's assessment
    screen(folder, worklist, Screening(as_of=))   the worklist rows, into a `Worklist`

duckdb and pyspark load only when a screen runs (`import painpath.population` starts neither).
"""

from painpath.population._assess import UNREADABLE
from painpath.population._screen import ENGINES, Progress, Screening, screen, screen_documents
from painpath.population._synth import SynthStats, synthesize
from painpath.population._worklist import FORMATS, ROW_SCHEMA, STATUS_ORDER, Worklist

__all__ = [
    "ENGINES",
    "FORMATS",
    "ROW_SCHEMA",
    "STATUS_ORDER",
    "UNREADABLE",
    "Progress",
    "Screening",
    "SynthStats",
    "Worklist",
    "screen",
    "screen_documents",
    "synthesize",
]
