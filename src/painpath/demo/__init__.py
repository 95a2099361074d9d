"""The demo clinic: `painpath demo` loads it, `make run` serves it.

    result = load_demo(engine)      # idempotent: an existing demo clinic is left as it is
    for login in result.logins: ...

Staff (clinician, coordinator, admin) and two patients get accounts with the public demo
password `DEMO_PASSWORD`: a demo database is never a real clinic's. Thirteen patients come
from the public vignettes and the Synthea sample in `../shared` (`PAINPATH_SHARED`), each
taken through the care pathway by the clinic services to one of its stages, so that every
stage (referred ... discharged, and cancelled) has a patient. Dates are real: "now" is the
clock when the demo is loaded, and each record is moved in time to fit (`_bundles`).
"""

from painpath.demo._bundles import SHARED_ENV, VIGNETTE_AS_OF, find_shared
from painpath.demo._cast import CAST
from painpath.demo._load import (
    DEMO_CLINIC,
    DEMO_PASSWORD,
    DemoResult,
    Login,
    anchor_day,
    demo_logins,
    load_demo,
    prepare_bundle,
)
from painpath.demo._story import STAGES
from painpath.demo._types import Consult, Member, Plan, Visit

__all__ = [
    "CAST",
    "DEMO_CLINIC",
    "DEMO_PASSWORD",
    "SHARED_ENV",
    "STAGES",
    "VIGNETTE_AS_OF",
    "Consult",
    "DemoResult",
    "Login",
    "Member",
    "Plan",
    "Visit",
    "anchor_day",
    "demo_logins",
    "find_shared",
    "load_demo",
    "prepare_bundle",
]
