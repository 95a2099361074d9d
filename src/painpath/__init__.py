"""painpath: explainable decision support for interventional pain medicine.

`painpath.assess(bundle, as_of=...)` turns one patient's FHIR R4 Bundle into a
`painpath.assessment/v1` document; see docs/architecture.md for the layers.
"""

from painpath._api import PAYERS, assess
from painpath.errors import FhirInputError, InputError, KnowledgeError, PainpathError

__all__ = [
    "PAYERS",
    "FhirInputError",
    "InputError",
    "KnowledgeError",
    "PainpathError",
    "__version__",
    "assess",
]

__version__ = "0.1.0"
