"""painpath's CDS Hooks services as data (`cds-services.yaml`) and the discovery document.

CDS Hooks 2.0.1 §Discovery: `GET {base}/cds-services` answers `{"services": [...]}`, each
with `hook`, `id`, `description` (required), `title` and `prefetch` (optional).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

__all__ = ["CdsCatalog", "Coding", "Service", "discovery", "load_catalog"]

Hook = Literal["patient-view", "order-select", "order-sign"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Model):
    id: str
    hook: Hook
    title: str
    description: str


class Coding(_Model):
    code: str
    display: str


class OverrideReasons(_Model):
    system: str
    codes: list[Coding]


class CdsCatalog(_Model):
    """The services, their prefetch templates and what order cards offer."""

    version: str
    prefetch: dict[str, str]
    services: list[Service]
    order_code_systems: dict[str, str]
    frequency_kinds: list[str]
    override_reasons: OverrideReasons
    status_summaries: dict[str, str]
    top_options: int

    def service(self, service_id: str) -> Service | None:
        """The service with this id, else None."""
        return next((s for s in self.services if s.id == service_id), None)

    def override_codings(self) -> list[dict[str, str]]:
        """The override reasons as FHIR Codings (each with its display: cds-resp-4)."""
        system = self.override_reasons.system
        return [
            {"system": system, "code": c.code, "display": c.display}
            for c in self.override_reasons.codes
        ]


@functools.cache
def load_catalog() -> CdsCatalog:
    """The packaged `cds-services.yaml`, validated (extra keys are refused)."""
    text = resources.files("painpath.interop").joinpath("cds-services.yaml").read_text("utf-8")
    return CdsCatalog.model_validate(yaml.safe_load(text))


def discovery(catalog: CdsCatalog) -> dict[str, Any]:
    """The discovery response: every service with its prefetch templates."""
    return {
        "services": [
            {
                "hook": s.hook,
                "id": s.id,
                "title": s.title,
                "description": " ".join(s.description.split()),
                "prefetch": dict(catalog.prefetch),
            }
            for s in catalog.services
        ]
    }
