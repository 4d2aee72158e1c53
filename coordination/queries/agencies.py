"""Reading agencies and the people of each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.principals import Role
from coordination.store.tables import Agency, User


def agencies_query() -> Select:
    """Agencies by code."""
    return select(Agency).order_by(Agency.code)


def all_agencies(session: Session) -> Sequence[Agency]:
    """Every agency, by code."""
    return session.scalars(agencies_query()).all()


def agency_codes_by_id(session: Session) -> dict[uuid.UUID, str]:
    return {agency.id: agency.code for agency in all_agencies(session)}


def find_agency(session: Session, agency_id: uuid.UUID) -> Agency | None:
    return session.get(Agency, agency_id)


def find_agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.code == code))


def agency_id_for_code(session: Session, code: str) -> uuid.UUID | None:
    return session.scalar(select(Agency.id).where(Agency.code == code))


def users_query(*, role: Role | None = None, agency_id: uuid.UUID | None = None,
                active: bool | None = None) -> Select:
    """Users by name; `role`, `agency_id` and `active` keep those that match."""
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    return query


def all_users(session: Session) -> Sequence[User]:
    """Every user, by name."""
    return session.scalars(users_query()).all()


def users_of(session: Session, agency_id: uuid.UUID) -> Sequence[User]:
    """An agency's users, by name."""
    return session.scalars(users_query(agency_id=agency_id)).all()


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def existing_user(session: Session, username: str) -> User:
    """The user called `username`, or NotFound."""
    user = user_by_name(session, username)
    if user is None:
        raise NotFound(f"no user is called {username!r}")
    return user
