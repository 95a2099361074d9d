"""Security, generated from the app's route table so that a new route is covered unasked.

- IDOR: every route with an id in its path, as every role, aimed at an object of another
  clinic (and, for the patient role, of another patient of the same clinic): 403/404 and
  nothing of the object in the answer. A path parameter without a factory below fails.
- Session fixation and CSRF: a planted session cookie never becomes a session; every
  state-changing route refuses a cookie session without its CSRF token.
- SQL injection and XSS payloads in every string field of every operation (path, query,
  JSON body, form): never a 5xx, never a leak; stored payloads come back JSON-encoded, and
  any route answering HTML (the web pages, when present) must escape them.
- Security headers on every route; HSTS over HTTPS only. Secrets only from the environment.
"""

from __future__ import annotations

import ast
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, func, select
from starlette.routing import Mount, Route

from api._client import ApiClient
from api.test_access_matrix import REQUESTS, Ctx
from clinic._world import World, patient_bundle
from painpath.api import COOKIE, CSRF_HEADER, create_app
from painpath.clinic import ACCESS, PUBLIC
from painpath.knowledge import load_knowledge
from painpath.store import Patient

from ._server import report

SRC = Path(__file__).resolve().parents[2] / "src" / "painpath"
SCHEMA = create_app(create_engine("sqlite://")).openapi()
OPERATIONS = [
    (op["operationId"], method.upper(), path)
    for path, methods in SCHEMA["paths"].items()
    for method, op in methods.items()
]


def _selector_values(path: str) -> dict[str, str]:
    """A valid value for each path parameter that picks a view (a chart's name), not an
    object: the first of its documented values (an enum, or the names in its description)."""
    values = {}
    for method in SCHEMA["paths"][path].values():
        for param in method.get("parameters", []):
            if param["in"] == "path" and param["name"] in SELECTORS:
                named = param["schema"].get("enum") or param["schema"].get("description", "")
                values[param["name"]] = (
                    named[0] if isinstance(named, list) else named.split(", ")[0]
                )
    return values


SELECTORS = {"name"}
"""Path parameters that name a view of what the path already scopes (a chart), never an
object that could belong to someone else; every other path parameter needs a factory."""
ID_ROUTES = [o for o in OPERATIONS if "{" in o[2]]
WRITES = [  # the state-changing routes a session may call (login and token start one)
    o
    for o in OPERATIONS
    if o[1] in ("POST", "PUT", "PATCH", "DELETE") and ACCESS[o[0]].scope != PUBLIC
]
STAFF = ["clinician", "coordinator", "admin"]
SQLI = [
    "' OR '1'='1' --",
    "1; DROP TABLE patient; --",
    "%' UNION SELECT password_hash FROM user_account --",
]
XSS = ['<script>alert("pp")</script>', '"><svg onload=alert(1)>']
PAYLOADS = SQLI + XSS


def _episode(world: World, patient: str) -> int:
    """An episode of `patient`, opened by a clinician of the patient's own clinic."""
    return int(Ctx(world, None, patient).episode()["id"])


def _procedure(world: World, patient: str) -> str:
    """A procedure of `patient`, stored by a clinician of the patient's own clinic."""
    return Ctx(world, None, patient).procedure("64483")


ID_FACTORIES: dict[str, Callable[[World, str], str | int]] = {
    "patient_id": lambda world, patient: patient,
    "episode_id": _episode,
    "document_id": lambda world, patient: Ctx(world, None, patient).document(),
    "procedure_id": _procedure,
    "user_id": lambda world, patient: world.users["clinician-b"].id,  # another clinic's
}
"""For each path parameter: an object of `patient` (another clinic's, or another patient's)."""


def _fill(path: str, world: World, patient: str, own: str | None = None) -> str:
    """The path aimed at `patient`'s objects; with `own`, the patient in the path is `own`
    (the caller's) and only the nested objects are `patient`'s (a foreign child id)."""
    names = [n for n in re.findall(r"{(\w+)}", path) if n not in SELECTORS]
    missing = [n for n in names if n not in ID_FACTORIES]
    assert not missing, f"{path}: add an IDOR factory for {missing}"
    ids = {n: ID_FACTORIES[n](world, patient) for n in names}
    if own is not None:
        ids["patient_id"] = own
    return path.format(**ids, **_selector_values(path))


def _objects(path: str) -> list[str]:
    return [n for n in re.findall(r"{(\w+)}", path) if n not in SELECTORS]


def test_the_idor_factories_cover_every_path_parameter() -> None:
    for _, _, path in ID_ROUTES:
        assert set(re.findall(r"{(\w+)}", path)) <= set(ID_FACTORIES) | SELECTORS, path


@pytest.mark.parametrize(("operation", "method", "path"), ID_ROUTES, ids=[o[0] for o in ID_ROUTES])
def test_no_role_reaches_an_object_that_is_not_theirs_by_its_id(
    operation: str, method: str, path: str, client: ApiClient, world: World
) -> None:
    if not _objects(path):  # a clinic-wide view: see the test of clinic-wide views below
        for role in [*STAFF, "patient"]:
            _, url, _ = REQUESTS[operation](Ctx(world, role, "pt-own"))
            status = client.request(method, url, headers=world.headers(role)).status_code
            assert (status == 200) == (role in ACCESS[operation].roles), (role, status)
        return
    cases: list[tuple[str, str, str | None]] = [
        (role, "pt-elsewhere", None) for role in [*STAFF, "patient"]
    ] + [("patient", "pt-other", None)]
    if len(_objects(path)) > 1 and "patient_id" in _objects(path):  # own patient, foreign child
        cases += [(role, "pt-elsewhere", "pt-own") for role in [*STAFF, "patient"]]
        cases += [("patient", "pt-other", "pt-own")]
    failures = []
    for role, patient, own in cases:
        if path.startswith("/users/") and patient == "pt-other":
            continue
        url = _fill(path, world, patient, own)
        _, _, kwargs = REQUESTS[operation](Ctx(world, role, patient))
        kwargs.pop("headers", None)
        response = client.request(method, url, headers=world.headers(role), **kwargs)
        leaked = "Elsewhere" in response.text or ("Ann Other" in response.text)
        if response.status_code not in (403, 404) or leaked:
            failures.append(f"{role} -> {url}: {response.status_code} {response.text[:120]}")
    assert not failures, "\n".join(failures)


CLINIC_WIDE = [o for o in OPERATIONS if o[0].startswith("dashboard.")]


@pytest.mark.parametrize(
    ("operation", "method", "path"), CLINIC_WIDE, ids=[o[0] for o in CLINIC_WIDE]
)
def test_a_clinic_wide_view_counts_nothing_of_another_clinic(
    operation: str, method: str, path: str, client: ApiClient, world: World
) -> None:
    """The dashboard has no object id to swap: its IDOR is another clinic's episodes leaking
    into the caller's figures. Clinic B gains an episode and a procedure; A's view is
    unchanged, byte for byte, for every staff role allowed it (the others: 403, above)."""
    roles = [role for role in STAFF if role in ACCESS[operation].roles]
    assert roles
    before = {}
    for role in roles:
        _, url, _ = REQUESTS[operation](Ctx(world, role, "pt-own"))
        before[role] = client.request(method, url, headers=world.headers(role))
        assert before[role].status_code == 200, (role, before[role].text)
    _episode(world, "pt-elsewhere")
    _procedure(world, "pt-elsewhere")
    for role in roles:
        _, url, _ = REQUESTS[operation](Ctx(world, role, "pt-own"))
        after = client.request(method, url, headers=world.headers(role))
        assert after.content == before[role].content, role
    _episode(world, "pt-own")  # the control: the caller's own clinic's episode does count
    if operation != "dashboard.chart":
        _, url, _ = REQUESTS[operation](Ctx(world, "clinician", "pt-own"))
        after = client.request(method, url, headers=world.headers("clinician"))
        assert after.content != before["clinician"].content


def _web_login(client: ApiClient, who: str = "clinician") -> str:
    from clinic._world import PASSWORD

    response = client.post(
        "/auth/login", data={"username": f"{who}@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def test_a_planted_session_cookie_never_becomes_a_session(client: ApiClient, world: World) -> None:
    from clinic._world import PASSWORD

    planted = "attacker-chosen-session-value-0123456789"
    response = client.post(
        "/auth/login",
        data={"username": "clinician@example.org", "password": PASSWORD},
        headers={"cookie": f"{COOKIE}={planted}"},
    )
    assert response.status_code == 200, response.text
    issued = response.cookies.get(COOKIE)
    assert issued and issued != planted  # the server issues its own secret at login
    client.http.cookies.clear()
    assert client.get("/me", headers={"cookie": f"{COOKIE}={planted}"}).status_code == 401
    assert client.get("/me", headers={"cookie": f"{COOKIE}={issued}"}).status_code == 200


def test_each_login_gets_a_new_session_and_logout_ends_the_old_one(
    client: ApiClient, world: World
) -> None:
    csrf = _web_login(client)
    first = client.http.cookies.get(COOKIE)
    client.http.cookies.clear()
    _web_login(client)
    second = client.http.cookies.get(COOKIE)
    client.http.cookies.clear()
    assert first and second and first != second
    cookie = {"cookie": f"{COOKIE}={first}"}
    out = client.post("/auth/logout", headers={**cookie, CSRF_HEADER: csrf})
    assert out.status_code == 204
    assert client.get("/me", headers=cookie).status_code == 401
    assert client.get("/me", headers={"cookie": f"{COOKIE}={second}"}).status_code == 200


def test_the_session_cookie_is_secure_httponly_and_samesite(
    client: ApiClient, world: World
) -> None:
    from clinic._world import PASSWORD

    response = client.post(
        "/auth/login", data={"username": "clinician@example.org", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


@pytest.mark.parametrize(("operation", "method", "path"), WRITES, ids=[o[0] for o in WRITES])
def test_every_state_changing_route_refuses_a_cookie_session_without_its_csrf_token(
    operation: str, method: str, path: str, client: ApiClient, world: World
) -> None:
    role = "admin" if operation.startswith("user.") else "clinician"
    csrf = _web_login(client, role)
    for header in ({}, {CSRF_HEADER: "wrong-" + csrf}, {CSRF_HEADER: ""}):
        _, url, kwargs = REQUESTS[operation](Ctx(world, role, "pt-own"))
        kwargs.pop("headers", None)
        before = world.audit_count()
        response = client.request(method, url, headers=header, **kwargs)
        assert response.status_code == 403, (header, response.text)
        assert response.json()["error"]["field"] == CSRF_HEADER
        assert world.audit_count() == before + 1  # the refusal is audited, nothing else


def _string_slots(body: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(body, dict):
        return [s for k, v in body.items() for s in _string_slots(v, (*prefix, k))]
    if isinstance(body, list):
        return [s for i, v in enumerate(body) for s in _string_slots(v, (*prefix, i))]
    return [prefix] if isinstance(body, str) else []


def _with(body: Any, slot: tuple[Any, ...], value: str) -> Any:
    if not slot:
        return value
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[slot[0]] = _with(body[slot[0]], slot[1:], value)
    return copy


def _variants(
    operation: str, method: str, path: str, world: World
) -> list[tuple[str, str, dict[str, Any]]]:
    """The operation's valid request with each string slot in turn set to each payload."""
    _, url, kwargs = REQUESTS[operation](Ctx(world, "clinician", "pt-own"))
    kwargs.pop("headers", None)
    found = []
    op = SCHEMA["paths"][path][method.lower()]
    for payload in PAYLOADS:
        for param in op.get("parameters", []):
            if param["in"] == "query" and param["schema"].get("type") == "string":
                found.append((method, url, {**kwargs, "params": {param["name"]: payload}}))
            if param["in"] == "path" and param["schema"].get("type") == "string":
                quoted = urllib.parse.quote(payload, safe="")
                found.append((method, path.replace(f"{{{param['name']}}}", quoted), kwargs))
        for key in ("json", "data"):
            for slot in _string_slots(kwargs.get(key)):
                found.append((method, url, {**kwargs, key: _with(kwargs[key], slot, payload)}))
    return found


@pytest.mark.parametrize(
    ("operation", "method", "path"), OPERATIONS, ids=[o[0] for o in OPERATIONS]
)
def test_injection_payloads_in_every_field_never_break_or_leak(
    operation: str, method: str, path: str, client: ApiClient, world: World
) -> None:
    role = "admin" if operation.startswith(("user.", "audit.")) else "clinician"
    headers = world.headers(role)
    with world.session() as session:
        patients = session.scalar(select(func.count()).select_from(Patient))
    for method_, url, kwargs in _variants(operation, method, path, world):
        response = client.request(method_, url, headers=headers, **kwargs)
        assert response.status_code < 500, (url, kwargs, response.text)
        assert "$argon2" not in response.text  # no password hash ever comes out
        if response.headers.get("content-type", "").startswith("text/html"):
            assert not any(p in response.text for p in XSS), (url, "unescaped payload")
    with world.session() as session:  # no table dropped, no row lost
        assert session.scalar(select(func.count()).select_from(Patient)) >= (patients or 0)


def test_a_name_search_with_sql_matches_nothing_rather_than_everything(
    client: ApiClient, world: World
) -> None:
    for payload in SQLI:
        page = client.get("/patients", params={"name": payload}, headers=world.headers("clinician"))
        assert page.status_code == 200 and page.json()["total"] == 0, payload


def _walk(routes: list[Any], prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers and mounts."""
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI's wrapper of an included APIRouter
            found += _walk(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):
            found.append((prefix + route.path, set(route.methods or ())))
        elif isinstance(route, Mount):
            found += _walk(list(route.routes), prefix + route.path)
    return found


def _get_routes(app: FastAPI) -> list[str]:
    """Every GET route of the app, API and pages alike (not only the OpenAPI ones)."""
    return sorted({path for path, methods in _walk(app.routes) if "GET" in methods})


def test_stored_payloads_come_back_encoded_on_every_get_route_html_escaped(
    web_app: FastAPI, world: World
) -> None:
    """On the served app (API and pages): every GET route, read by a signed-in clinician
    (cookie session, as a browser) on a patient whose stored fields carry the payloads, and
    by the signed-in patient on their own pages with the payloads in their record."""
    client = ApiClient(web_app)
    headers = world.headers("clinician")
    bundle = patient_bundle("pt-xss", family=XSS[0])
    bundle["entry"][0]["resource"]["name"][0]["given"] = [XSS[1]]
    assert client.post("/fhir/Bundle", json=bundle, headers=headers).status_code == 201
    for patient in ("pt-xss", "pt-own"):
        opened = client.post(
            f"/patients/{patient}/episodes",
            json={"payload": {"source": "referral", "reason": XSS[0]}},
            headers=headers,
        )
        assert opened.status_code == 201, opened.text
        document = client.post(
            f"/patients/{patient}/documents",
            files={"file": ("n.txt", b"x", "text/plain")},
            data={"title": XSS[1]},
            headers=headers,
        )
        assert document.status_code == 201, document.text
    ids: dict[str, str | int] = {
        "episode_id": opened.json()["id"],
        "document_id": document.json()["id"],
        "user_id": world.users["clinician"].id,
        "procedure_id": next(iter(load_knowledge().procedures)),  # a library page
        "event": "x",  # a pathway form's address: redirects to the workspace
    }
    routes = _get_routes(web_app)
    html_routes: set[str] = set()
    for who, patient in (("clinician", "pt-xss"), ("patient", "pt-own")):
        client.http.cookies.clear()
        _web_login(client, who)
        for path in routes:
            if path in ("/openapi.json",):
                continue
            names = re.findall(r"{(\w+)}", path)
            known = {**ids, "patient_id": patient}
            if path in SCHEMA["paths"]:
                known.update(_selector_values(path))
            assert set(names) <= set(known), f"{path}: add an id for {set(names) - set(known)}"
            url = path.format(**{n: known[n] for n in names})
            response = client.get(url, follow_redirects=True)
            kind = response.headers.get("content-type", "")
            assert response.status_code < 500, (who, url, response.text[:200])
            assert response.headers.get("x-content-type-options") == "nosniff", url
            if kind.startswith("text/html"):
                html_routes.add(path)
                assert not any(p in response.text for p in XSS), f"{who} {url}: not escaped"
            elif response.headers.get("content-disposition", "").startswith("attachment"):
                continue  # a stored document, downloaded, never rendered inline
            elif kind.startswith("image/svg+xml"):
                assert not any(p in response.text for p in XSS), f"{url}: payload in an SVG"
            else:
                assert re.match(r"application/([\w.-]+\+)?json", kind), (url, kind)
    client.close()
    assert {"/dashboard", "/clinic/patients/{patient_id}", "/portal/{patient_id}"} <= html_routes
    report({"test": "xss-get-routes", "routes": len(routes), "html": len(html_routes)})


def test_every_route_sends_the_security_headers_and_hsts_only_over_https(
    web_app: FastAPI, world: World
) -> None:
    """Every GET route of the served app, the API's and the pages' alike."""
    headers = world.headers("clinician")
    for base, hsts in (("https://testserver", True), ("http://testserver", False)):
        client = ApiClient(web_app, base_url=base)
        try:
            for path in _get_routes(web_app):
                url = re.sub(r"{patient_id}", "pt-own", path)
                url = re.sub(r"{\w+}", "1", url)
                response = client.get(url, headers=headers)
                csp = response.headers.get("content-security-policy", "")
                assert "frame-ancestors 'none'" in csp, url
                assert response.headers.get("x-content-type-options") == "nosniff", url
                assert response.headers.get("x-frame-options") == "DENY", url
                assert ("strict-transport-security" in response.headers) == hsts, (base, url)
        finally:
            client.close()


SECRET_NAME = re.compile(r"(?i)(secret|passw|token|api_?key|private_?key|credential)")
ALLOWED_LITERALS = {("demo/_load.py", "DEMO_PASSWORD")}  # public demo password, documented


def test_no_secret_is_written_in_the_source() -> None:
    found = []
    for path in SRC.rglob("*.py"):
        rel = str(path.relative_to(SRC))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.search(r"\w+://[^/\s:@]+:[^/\s@]+@", node.value):
                    found.append(f"{rel}: a URL with a password")
                if "PRIVATE KEY-----" in node.value:
                    found.append(f"{rel}: a private key")
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                value = node.value.value
                for target in node.targets:
                    name = getattr(target, "id", "")
                    if (
                        isinstance(value, str)
                        and len(value) >= 8
                        and SECRET_NAME.search(name)
                        and not name.endswith(("_ENV", "_HEADER"))
                        and (rel, name) not in ALLOWED_LITERALS
                    ):
                        found.append(f"{rel}: {name} = <literal>")
    assert not found, "\n".join(found)


def test_the_server_takes_its_database_url_from_the_environment_only() -> None:
    from painpath.cli_service import serve

    params = set(serve.__code__.co_varnames[: serve.__code__.co_argcount])
    assert params == {"host", "port", "workers"}  # nothing secret on the command line (ps)
