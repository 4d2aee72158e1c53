"""People who sign in to the console: accounts, argon2 password hashes, rate-limited sign-in.

Integrations use API tokens (`principals`); people use a username and a password, hashed with
argon2id by `argon2-cffi` (never stored or logged in the clear). Sign-in is rate limited per
username and per address from rows in the database, so the limit holds across processes.
"""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from coordination.principals import Principal, Role
from coordination.store.tables import Agency, SignInAttempt, User
from coordination.store.writer_lock import take_writer_lock

HASHER = PasswordHasher()
"""argon2id with the library's current recommended parameters; old hashes are upgraded on the
next successful sign-in."""

MIN_PASSWORD_LENGTH = 12
"""NIST SP 800-63B: length, not composition rules, is what makes a password hard to guess."""
MAX_PASSWORD_LENGTH = 1024
"""Long enough for any passphrase; a longer one is a mistake or an attempt to make hashing slow."""

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
"""Enough for a tired officer's typos; too few for guessing one account's password."""
MAX_FAILURES_PER_ADDRESS = 20
"""Several officers may share a control-room address; a guesser sweeping names is stopped."""

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._\-]{1,63}$"


@functools.lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to check unknown names against, so that they take as long as known ones: made with
    the hasher in use, once, when first needed (not at import, where it cost every process start)."""
    return hasher.hash("not a real password: used to spend the same time on unknown names")


class NewUser(BaseModel):
    """A console account to create."""

    # A password must not reach a log or a traceback through a repr or a validation error's text.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH, repr=False)
    agency_code: str | None = None


def create_user(*, session: Session, clock: Clock, new_user: NewUser, actor: Principal) -> User:
    """Create a console account.

    Raises:
        Conflict: the username is taken.
        InvalidInput: an agency role without an agency, or an unknown agency (field `agency_code`).
    """
    if session.scalar(select(User.id).where(User.username == new_user.username)) is not None:
        raise Conflict(f"the username {new_user.username!r} is taken")
    agency_id = None
    if new_user.role is Role.AGENCY:
        if not new_user.agency_code:
            raise InvalidInput("an agency user belongs to an agency: give its code", field="agency_code")
        agency_id = session.scalar(select(Agency.id).where(Agency.code == new_user.agency_code))
        if agency_id is None:
            raise InvalidInput(f"no agency has the code {new_user.agency_code!r}", field="agency_code")
    elif new_user.agency_code:
        raise InvalidInput("only agency users belong to an agency", field="agency_code")
    now = clock.now()
    user = User(username=new_user.username, display_name=new_user.display_name, role=new_user.role,
                agency_id=agency_id, password_hash=HASHER.hash(new_user.password), is_active=True,
                created_at=now, password_changed_at=now)
    try:
        with session.begin_nested():  # a savepoint: losing the race leaves the transaction usable
            session.add(user)
            session.flush()
    except IntegrityError:
        # Another request took the name between the check above and this insert.
        raise Conflict(f"the username {new_user.username!r} is taken") from None
    audit.record(session, at=now, kind="user.created", actor=actor.label,
                 summary=f"console account {user.username} created ({user.role.value})",
                 data={"user_id": str(user.id), "role": user.role.value})
    return user


def principal_of(user: User) -> Principal:
    return Principal(token_id=None, name=user.username, role=user.role, agency_id=user.agency_id, user_id=user.id)


def sign_in_with_password(*, session: Session, clock: Clock, username: str, password: str,
                          remote_address: str) -> Principal | None:
    """Check a username and password and record the attempt; return the user's principal, or
    None for a wrong username or password or a disabled account (the caller says so in one
    message for all three, and commits, so that failures count towards the limit).

    Raises:
        TooManyAttempts: too many recent failures for this username or address (checked first,
            so a locked-out guesser learns nothing about the password).
    """
    now = clock.now()
    since = now - FAILURE_WINDOW
    username = username.strip().lower()[:64]
    remote_address = remote_address[:64]
    for column, value, limit in ((SignInAttempt.username, username, MAX_FAILURES_PER_USERNAME),
                                 (SignInAttempt.remote_address, remote_address, MAX_FAILURES_PER_ADDRESS)):
        failures = session.execute(
            select(func.count(), func.min(SignInAttempt.at))
            .where(column == value, SignInAttempt.at > since, SignInAttempt.succeeded.is_(False))
        ).one()
        if failures[0] >= limit:
            retry_after_s = max(1, int((failures[1] + FAILURE_WINDOW - now).total_seconds()) + 1)
            raise TooManyAttempts(f"too many failed sign-ins; try again in {retry_after_s} s",
                                  retry_after_s=retry_after_s)
    user = session.scalar(select(User).where(User.username == username))
    succeeded = False
    try:
        HASHER.verify(user.password_hash if user is not None else _dummy_hash(HASHER), password)
        succeeded = user is not None and user.is_active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        succeeded = False
    session.add(SignInAttempt(username=username, remote_address=remote_address, at=now, succeeded=succeeded))
    if not succeeded:
        return None
    assert user is not None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.last_sign_in_at = now
    return principal_of(user)


def password_matches(*, session: Session, username: str, password: str) -> bool:
    """Whether `password` is the user's current one (no attempt recorded: for the demo, which
    keeps the passwords it wrote down, not for signing in)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        return False
    try:
        return HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def active_user_principal(*, session: Session, user_id: uuid.UUID) -> Principal | None:
    """The principal of a signed-in user still allowed in, or None (disabled or deleted)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return principal_of(user)


def set_password(*, session: Session, clock: Clock, username: str, password: str, actor: Principal) -> User:
    """Replace a user's password.

    Raises:
        NotFound: no such user.
        InvalidInput: the password is shorter than `MIN_PASSWORD_LENGTH` or longer than
            `MAX_PASSWORD_LENGTH` (field `password`).
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
                           field="password")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user is called {username!r}")
    now = clock.now()
    user.password_hash = HASHER.hash(password)
    user.password_changed_at = now
    audit.record(session, at=now, kind="user.password_changed", actor=actor.label,
                 summary=f"password of {username} changed", data={"user_id": str(user.id)})
    return user


# Administration of accounts: role changes and disabling. An administrator may not change or
# disable their own account, so that the last administrator cannot lock everyone out by a slip.

def _account(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user is called {username!r}")
    return user


def _not_yourself(user: User, actor: Principal, what: str) -> None:
    if actor.user_id is not None and actor.user_id == user.id:
        raise Conflict(f"an administrator cannot {what} their own account; ask another administrator")


def _not_the_last_administrator(session: Session, user: User, what: str) -> None:
    """Keep at least one active administrator account.

    `_not_yourself` protects a person at the console; an API token or the CLI acts as no
    person, so without this rule a script could lock every administrator out of the console.
    """
    if user.role is not Role.ADMINISTRATOR or not user.is_active:
        return
    # Counted under the writer lock: two administrators disabled at once on PostgreSQL would
    # otherwise each count the other as still active, and both go.
    take_writer_lock(session)
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMINISTRATOR, User.is_active.is_(True), User.id != user.id))
    if not others:
        raise Conflict(f"cannot {what} {user.username}: it is the last active administrator account; "
                       "make another administrator first")


def change_role(*, session: Session, clock: Clock, username: str, role: Role, agency_code: str | None,
                actor: Principal) -> User:
    """Give a user another role (and, for an agency user, their agency). The next request they
    make runs with the new role: a session reads the account afresh every time.

    Raises:
        NotFound: no such user.
        Conflict: the actor's own account, or the last active administrator made something else.
        InvalidInput: an agency role without a known agency, or an agency for another role
            (field `agency_code`).
    """
    user = _account(session, username)
    _not_yourself(user, actor, "change the role of")
    if role is not Role.ADMINISTRATOR:
        _not_the_last_administrator(session, user, "change the role of")
    agency_id = None
    if role is Role.AGENCY:
        if not agency_code:
            raise InvalidInput("an agency user belongs to an agency: give its code", field="agency_code")
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code))
        if agency_id is None:
            raise InvalidInput(f"no agency has the code {agency_code!r}", field="agency_code")
    elif agency_code:
        raise InvalidInput("only agency users belong to an agency", field="agency_code")
    if user.role is role and user.agency_id == agency_id:
        return user
    previous = user.role
    user.role, user.agency_id = role, agency_id
    audit.record(session, at=clock.now(), kind="user.role_changed", actor=actor.label,
                 summary=f"role of {username}: {previous.value} -> {role.value}"
                 + (f" ({agency_code})" if agency_code else ""),
                 data={"user_id": str(user.id), "from": previous.value, "to": role.value})
    return user


def set_account_active(*, session: Session, clock: Clock, username: str, active: bool, actor: Principal) -> User:
    """Disable an account (its sessions end at their next request) or enable it again. Idempotent.

    Raises:
        NotFound: no such user.
        Conflict: disabling the actor's own account, or the last active administrator.
    """
    user = _account(session, username)
    if not active:
        _not_yourself(user, actor, "disable")
        _not_the_last_administrator(session, user, "disable")
    if user.is_active is active:
        return user
    user.is_active = active
    audit.record(session, at=clock.now(), kind="user.enabled" if active else "user.disabled", actor=actor.label,
                 summary=f"console account {username} {'enabled' if active else 'disabled'}",
                 data={"user_id": str(user.id)})
    return user
