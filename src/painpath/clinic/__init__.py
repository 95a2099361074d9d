"""The clinic's application services: one audited transaction per operation, no HTTP.

Every operation takes a SQLAlchemy `Session` and the acting `Principal`, checks the access
table (`ACCESS`), runs as one transaction and writes an audit event whatever the outcome
(allowed, denied, error). The API, the CLI and the web pages all call these.

    import_bundle, patient_bundle, get_patient, get_patient_bundle, list_patients
    assess_patient, list_assessments
    open_episode, transition_episode, get_episode, list_episodes, episode_events
    add_observation, list_observations, add_procedure, add_questionnaire_response
    add_document, list_documents, get_document
    login, logout, create_session, signed_in, verify_csrf
    create_user, list_users, update_user, me, new_user, list_audit, audit_rows
"""

from painpath.clinic._access import ACCESS, EVENT_ROLES, PUBLIC, Rule, event_roles, role_allowed
from painpath.clinic._accounts import (
    HASHER,
    check_password,
    clinic_named,
    hash_password,
    new_user,
    normalise_email,
    user_json,
)
from painpath.clinic._assessments import DocumentCache, assess_patient, list_assessments
from painpath.clinic._audit import audit_event, audit_json, fhir_audit_event, record_alone
from painpath.clinic._auditlog import audit_rows, list_audit
from painpath.clinic._charts import PATIENT_CHARTS, patient_chart
from painpath.clinic._dashboard import (
    dashboard_chart_bytes,
    dashboard_figures,
    dashboard_view,
    load_dashboard,
)
from painpath.clinic._diary import record_block_diary
from painpath.clinic._documents import (
    CONTENT_TYPES,
    MAX_DOCUMENT_BYTES,
    add_document,
    get_document,
    list_documents,
)
from painpath.clinic._entries import (
    OBSERVATION_KINDS,
    add_observation,
    add_procedure,
    list_observations,
)
from painpath.clinic._episodes import (
    episode_events,
    get_episode,
    list_episodes,
    open_episode,
    transition_episode,
)
from painpath.clinic._fhirstore import display_name
from painpath.clinic._followup import record_complication, record_relief_duration
from painpath.clinic._generated import document_reference, generate_document
from painpath.clinic._guard import Guard, guarded
from painpath.clinic._lists import MAX_LIMIT, Page
from painpath.clinic._login import EMAIL_LIMIT, IP_LIMIT, WINDOW, LoginResult, login, logout
from painpath.clinic._outcomes import (
    EXPORT_FORMATS,
    compute_outcomes,
    latest_outcomes,
    outcome_export,
)
from painpath.clinic._patients import (
    get_patient,
    get_patient_bundle,
    import_bundle,
    list_patients,
    patient_bundle,
)
from painpath.clinic._principal import ROLES, Principal, utcnow
from painpath.clinic._responses import add_questionnaire_response
from painpath.clinic._tokens import (
    BEARER_TTL,
    SESSION_TTL,
    SignedIn,
    TokenRef,
    create_session,
    issue_token,
    signed_in,
    verify_csrf,
)
from painpath.clinic._users import create_user, list_users, me, update_user

__all__ = [
    "ACCESS",
    "BEARER_TTL",
    "CONTENT_TYPES",
    "EMAIL_LIMIT",
    "EVENT_ROLES",
    "EXPORT_FORMATS",
    "HASHER",
    "IP_LIMIT",
    "MAX_DOCUMENT_BYTES",
    "MAX_LIMIT",
    "OBSERVATION_KINDS",
    "PATIENT_CHARTS",
    "PUBLIC",
    "ROLES",
    "SESSION_TTL",
    "WINDOW",
    "DocumentCache",
    "Guard",
    "LoginResult",
    "Page",
    "Principal",
    "Rule",
    "SignedIn",
    "TokenRef",
    "add_document",
    "add_observation",
    "add_procedure",
    "add_questionnaire_response",
    "assess_patient",
    "audit_event",
    "audit_json",
    "audit_rows",
    "check_password",
    "clinic_named",
    "compute_outcomes",
    "create_session",
    "create_user",
    "dashboard_chart_bytes",
    "dashboard_figures",
    "dashboard_view",
    "display_name",
    "document_reference",
    "episode_events",
    "event_roles",
    "fhir_audit_event",
    "generate_document",
    "get_document",
    "get_episode",
    "get_patient",
    "get_patient_bundle",
    "guarded",
    "hash_password",
    "import_bundle",
    "issue_token",
    "latest_outcomes",
    "list_assessments",
    "list_audit",
    "list_documents",
    "list_episodes",
    "list_observations",
    "list_patients",
    "list_users",
    "load_dashboard",
    "login",
    "logout",
    "me",
    "new_user",
    "normalise_email",
    "open_episode",
    "outcome_export",
    "patient_bundle",
    "patient_chart",
    "record_alone",
    "record_block_diary",
    "record_complication",
    "record_relief_duration",
    "role_allowed",
    "signed_in",
    "transition_episode",
    "update_user",
    "user_json",
    "utcnow",
    "verify_csrf",
]
