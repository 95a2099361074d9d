"""The HTTP API (FastAPI): REST over the clinic services, OpenAPI at `/openapi.json`.

app = create_app(engine)        # uvicorn painpath.api:create_app --factory
"""

from painpath.api._app import MAX_BODY_BYTES, create_app
from painpath.api._deps import COOKIE, CSRF_HEADER
from painpath.api._errors import STATUS

__all__ = ["COOKIE", "CSRF_HEADER", "MAX_BODY_BYTES", "STATUS", "create_app"]
