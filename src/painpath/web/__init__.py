"""Server-rendered pages for patients and clinicians, on the service's ASGI app.

app = create_app(engine)        # uvicorn painpath.web:create_app --factory

Public: `/`, `/procedures`, `/self-assessment`, `/signin`. A signed-in patient: `/portal/{id}`
(plan, preparation, aftercare, pain diary). Staff: `/clinic` (worklist), the patient chart and
the episode workspace. Pages render what the clinic services return; they decide nothing.
"""

from painpath.web._app import STATIC_DIR, create_app, install

__all__ = ["STATIC_DIR", "create_app", "install"]
