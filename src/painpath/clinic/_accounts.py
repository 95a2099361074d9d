"""User accounts: argon2 password hashes, creating and listing users, checking a password.

Emails are kept lower-cased. A password is 12 to 1024 characters; only its argon2id hash
(argon2-cffi's `PasswordHasher`, RFC 9106 parameters) is stored. Checking a password for an
unknown email still runs one hash, so timing does not tell which emails exist.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic._principal import ROLES, utcnow
from painpath.errors import ConflictError, InputError, NotFound
from painpath.store import AuthToken, Clinic, Patient, User

__all__ = [
    "HASHER",
    "check_password",
    "clinic_named",
    "hash_password",
    "new_user",
    "normalise_email",
    "revoke_user_tokens",
    "user_json",
]

HASHER = PasswordHasher()
"""The default hasher (argon2id with argon2-cffi's RFC 9106 low-memory profile)."""

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_MIN_PASSWORD, _MAX_PASSWORD = 12, 1024


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the email is unknown (same cost as a real check)."""
    return hasher.hash("painpath timing dummy")


def normalise_email(email: str) -> str:
    """The email lower-cased and stripped; InputError (field `email`) unless it looks valid."""
    text = email.strip().lower()
    if len(text) > 320 or not _EMAIL.fullmatch(text):
        raise InputError("not an email address", "email", "name@example.org")
    return text


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    """The argon2 hash of an acceptable password; InputError (field `password`) otherwise."""
    if not _MIN_PASSWORD <= len(password) <= _MAX_PASSWORD:
        expected = f"{_MIN_PASSWORD} to {_MAX_PASSWORD} characters"
        raise InputError(f"the password has {len(password)} characters", "password", expected)
    return hasher.hash(password)


def check_password(user: User | None, password: str, hasher: PasswordHasher = HASHER) -> bool:
    """True when the user is active and the password matches (constant work either way)."""
    stored = user.password_hash if user is not None else _dummy_hash(hasher)
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.active


def clinic_named(session: Session, name: str, *, create: bool = False) -> Clinic:
    """The clinic with this name; created when `create`, else NotFound."""
    clinic = session.scalar(select(Clinic).where(Clinic.name == name))
    if clinic is None:
        if not create:
            raise NotFound(f"no clinic named {name!r}", "clinic")
        clinic = Clinic(name=name)
        session.add(clinic)
        session.flush()
    return clinic


def new_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    clinic_id: int,
    patient_id: str | None = None,
    now: datetime | None = None,
    hasher: PasswordHasher = HASHER,
) -> User:
    """Add a user (flushed, not committed). A patient user names their patient in the clinic.

    Raises InputError (bad email, password or role; a patient id on staff, or none on a
    patient), NotFound (no such patient in the clinic), ConflictError (email taken).
    """
    address = normalise_email(email)
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", "role", " | ".join(ROLES))
    if (role == "patient") != (patient_id is not None):
        expected = "a patient id for the patient role, and none for staff"
        raise InputError("patient id and role do not fit", "patient_id", expected)
    if patient_id is not None:
        patient = session.get(Patient, patient_id)
        if patient is None or patient.clinic_id != clinic_id:
            raise NotFound("no such patient in this clinic", f"Patient/{patient_id}")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise ConflictError("an account with this email exists", "email", "a new email")
    user = User(
        email=address,
        password_hash=hash_password(password, hasher),
        role=role,
        clinic_id=clinic_id,
        patient_id=patient_id,
        active=True,
        created_at=now or utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def revoke_user_tokens(session: Session, user_id: int) -> None:
    """Revoke every bearer token and web session of a user (on deactivation)."""
    for token in session.scalars(select(AuthToken).where(AuthToken.user_id == user_id)):
        token.revoked = True


def user_json(user: User) -> dict[str, Any]:
    """A user as the API shows it: never the password hash."""
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "clinic_id": user.clinic_id,
        "patient_id": user.patient_id,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }
