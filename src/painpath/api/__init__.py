"""The HTTP API (FastAPI): REST over the clinic services, OpenAPI at `/openapi.json`.

app = create_app(engine)        # uvicorn painpath.api:create_app --factory
uvicorn.run("painpath.api:create_app", factory=True, workers=2, http=HTTP_PROTOCOL)
"""

from painpath.api._app import BODY_LIMIT_ENV, MAX_BODY_BYTES, body_limit, create_app
from painpath.api._deps import COOKIE, CSRF_HEADER
from painpath.api._errors import STATUS

HTTP_PROTOCOL = "painpath.api._http:NoDelayHTTPProtocol"
"""uvicorn's `http` setting for `painpath serve`: its HTTP/1.1 protocol with TCP_NODELAY on
every connection (see `painpath.api._http`); an import string, so each worker imports it."""

__all__ = [
    "BODY_LIMIT_ENV",
    "COOKIE",
    "CSRF_HEADER",
    "HTTP_PROTOCOL",
    "MAX_BODY_BYTES",
    "STATUS",
    "body_limit",
    "create_app",
]
