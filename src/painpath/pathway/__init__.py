"""The care pathway of an episode of interventional pain care, as a pure state machine.

The pathway is data (`pathway.yaml`: states named for clinical moments, explicit events with
typed payload fields, named guards) checked by `validate_pathway` when `load_pathway` reads
it. `apply` moves an episode by one event and returns a `Transition` for the caller to store;
nothing here touches a database or reads the clock (`now` is passed in).

    referred -> consultation -> assessed -> planned -> scheduled -> procedure-day
      -> follow-up -> decision -> (scheduled | planned | discharged); cancel from any open state
"""

from painpath.errors import PathwayError
from painpath.pathway._context import ProcedureCatalog
from painpath.pathway._guards import GUARDS, NOTICES
from painpath.pathway._loader import PATHWAY_FILE, load_pathway, parse_pathway
from painpath.pathway._machine import (
    EventInfo,
    FieldInfo,
    Transition,
    allowed_events,
    apply,
    initial_state,
    is_terminal,
    open_episode,
    opening_event,
)
from painpath.pathway._pathway import Pathway
from painpath.pathway._schema import PathwayDefinition
from painpath.pathway._types import FIELD_TYPES
from painpath.pathway._validate import validate_pathway

__all__ = [
    "FIELD_TYPES",
    "GUARDS",
    "NOTICES",
    "PATHWAY_FILE",
    "EventInfo",
    "FieldInfo",
    "Pathway",
    "PathwayDefinition",
    "PathwayError",
    "ProcedureCatalog",
    "Transition",
    "allowed_events",
    "apply",
    "initial_state",
    "is_terminal",
    "load_pathway",
    "open_episode",
    "opening_event",
    "parse_pathway",
    "validate_pathway",
]
