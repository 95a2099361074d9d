"""Generated documents: made from the stored record, stored as Document rows and audited."""

from __future__ import annotations

import pytest

from ._world import World
from .test_diary import AS_OF, RFA, _imported


def test_a_generated_prior_auth_packet_is_stored_and_audited(world: World) -> None:
    from painpath.clinic import document_reference, generate_document, get_document
    from painpath.store import AuditEvent

    pid = _imported(world)
    with world.session() as session:
        meta = generate_document(
            session,
            world.principals["coordinator"],
            pid,
            kind="prior-auth",
            procedure=RFA,
            as_of=AS_OF,
            now=world.clock(),
        )
    with world.session() as session:
        stored, content = get_document(session, world.principals["clinician"], meta["id"])
        audit = (
            session.query(AuditEvent)
            .filter_by(resource=f"document.generate Document/{meta['id']}")
            .one()
        )
    assert content.startswith(b"%PDF") and stored["title"] == f"Prior authorization: {RFA}"
    assert audit.outcome == "allowed" and audit.patient_id == pid
    ref = document_reference(stored)
    assert ref["content"][0]["attachment"]["url"] == f"/documents/{meta['id']}"


def test_a_patient_may_not_generate_documents(world: World) -> None:
    from painpath.clinic import generate_document
    from painpath.errors import AccessDenied

    with world.session() as session, pytest.raises(AccessDenied):
        generate_document(session, world.principals["patient"], "pt-own", kind="care-plan")
