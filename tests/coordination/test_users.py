"""Console accounts: argon2 hashes only, one answer for every wrong credential, and sign-in
attempts limited per username and per address across processes (rows in the database)."""

from __future__ import annotations

import uuid

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import get_default_parameters
from pydantic import ValidationError
from sqlalchemy import event, insert, select

from coordination import SYSTEM, Conflict, InvalidInput, NotFound, Role, TooManyAttempts, users
from coordination.store.tables import TimelineEntry, User
from coordination.users import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USERNAME,
    MAX_PASSWORD_LENGTH,
    NewUser,
    active_user_principal,
    change_role,
    create_user,
    set_account_active,
    set_password,
    sign_in_with_password,
)
from tests.concurrency import OtherTransaction, waits_for_a_lock
from tests.conftest import PRODUCTION_PASSWORD_HASHER

pytestmark = pytest.mark.database

PASSWORD = "correct horse battery staple"


def add(store, clock, username="asha", role=Role.DUTY_OFFICER, agency_code=None, password=PASSWORD):
    with store.transaction() as session:
        return create_user(session=session, clock=clock, actor=SYSTEM, new_user=NewUser(
            username=username, display_name=username.title(), role=role, password=password,
            agency_code=agency_code)).id


def attempt(store, clock, username="asha", password=PASSWORD, address="10.0.0.1"):
    with store.transaction() as session:
        return sign_in_with_password(session=session, clock=clock, username=username, password=password,
                                     remote_address=address)


def test_a_password_is_kept_only_as_an_argon2id_hash(store, clock):
    add(store, clock)
    with store.transaction() as session:
        stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_new_users_password_is_in_neither_its_repr_nor_a_validation_error():
    """Either could end up in a log or a traceback."""
    new_user = NewUser(username="asha", display_name="Asha", role=Role.VIEWER, password=PASSWORD)
    assert PASSWORD not in repr(new_user) and PASSWORD not in str(new_user)
    with pytest.raises(ValidationError) as refused:
        NewUser(username="asha", display_name="Asha", role=Role.VIEWER, password="tooshort1")
    assert "tooshort1" not in str(refused.value)


def test_passwords_are_hashed_with_argon2s_recommended_parameters():
    """The tests hash with a cheap hasher (tests/conftest.py); the shipped one keeps argon2's
    recommended cost, the same as a fresh `PasswordHasher()`."""
    assert extract_parameters(PRODUCTION_PASSWORD_HASHER.hash(PASSWORD)) == get_default_parameters()


def test_a_hash_with_other_parameters_is_upgraded_at_the_next_sign_in(store, clock):
    """Hashes made before a change of parameters are re-hashed with the current ones when the
    password is next given (argon2 cannot re-hash without it)."""
    add(store, clock)
    with store.transaction() as session:
        session.scalar(select(User)).password_hash = PasswordHasher(time_cost=2, memory_cost=16,
                                                                    parallelism=1).hash(PASSWORD)
    assert attempt(store, clock) is not None
    with store.transaction() as session:
        stored = session.scalar(select(User.password_hash))
    assert extract_parameters(stored) == extract_parameters(users.HASHER.hash(PASSWORD))
    assert attempt(store, clock) is not None


def test_the_right_password_signs_in_as_the_users_role(store, clock):
    user_id = add(store, clock)
    principal = attempt(store, clock, username="ASHA ")
    assert (principal.user_id, principal.role, principal.label) == (user_id, Role.DUTY_OFFICER, "duty_officer:asha")


def test_a_wrong_password_an_unknown_name_and_a_disabled_account_look_the_same(store, clock):
    add(store, clock)
    add(store, clock, username="ravi")
    with store.transaction() as session:
        session.scalar(select(User).where(User.username == "ravi")).is_active = False
    assert attempt(store, clock, password="wrong password!") is None
    assert attempt(store, clock, username="nobody") is None
    assert attempt(store, clock, username="ravi") is None


def test_too_many_failures_for_one_name_lock_it_for_a_while_even_with_the_right_password(store, clock):
    add(store, clock)
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert attempt(store, clock, password="guess " * 3) is None
        clock.advance(seconds=10)
    with pytest.raises(TooManyAttempts) as raised:
        attempt(store, clock)
    assert 0 < raised.value.retry_after_s <= 15 * 60
    clock.advance(seconds=raised.value.retry_after_s)
    assert attempt(store, clock) is not None


def test_one_address_sweeping_many_names_is_stopped(store, clock):
    add(store, clock)
    for number in range(MAX_FAILURES_PER_ADDRESS):
        attempt(store, clock, username=f"user{number}", password="guess guess guess")
    with pytest.raises(TooManyAttempts):
        attempt(store, clock, address="10.0.0.1")
    assert attempt(store, clock, address="10.0.0.2") is not None


def test_an_agency_user_belongs_to_a_known_agency(store, clock, make_agency):
    make_agency("fire-central", "fire")
    add(store, clock, username="firedesk", role=Role.AGENCY, agency_code="fire-central")
    assert attempt(store, clock, username="firedesk").agency_id is not None
    with pytest.raises(InvalidInput) as raised:
        add(store, clock, username="x1", role=Role.AGENCY)
    assert raised.value.field == "agency_code"
    with pytest.raises(InvalidInput):
        add(store, clock, username="x2", role=Role.AGENCY, agency_code="navy")
    with pytest.raises(Conflict):
        add(store, clock, username="firedesk", role=Role.VIEWER)


def test_a_new_password_replaces_the_old_one(store, clock):
    add(store, clock)
    with store.transaction() as session:
        set_password(session=session, clock=clock, username="asha", password="a brand new passphrase", actor=SYSTEM)
    assert attempt(store, clock) is None
    assert attempt(store, clock, password="a brand new passphrase") is not None
    for wrong in ("short", "x" * (MAX_PASSWORD_LENGTH + 1)):
        with store.transaction() as session, pytest.raises(InvalidInput) as raised:
            set_password(session=session, clock=clock, username="asha", password=wrong, actor=SYSTEM)
        assert raised.value.field == "password"
    assert attempt(store, clock, password="a brand new passphrase") is not None


def test_an_unknown_name_is_checked_against_a_hash_made_by_the_hasher_in_use():
    # The same parameters as a real account's hash, so an unknown name takes as long to refuse.
    assert extract_parameters(users._dummy_hash(users.HASHER)) == extract_parameters(users.HASHER.hash("x"))
    assert extract_parameters(users._dummy_hash(PRODUCTION_PASSWORD_HASHER)) == get_default_parameters()


def administrator_principal(store, clock, username="root"):
    add(store, clock, username=username, role=Role.ADMINISTRATOR)
    return attempt(store, clock, username=username)


def test_a_role_change_reaches_the_next_sign_in_and_names_an_agency_only_for_agency_users(store, clock, make_agency):
    make_agency("fire-central", "fire")
    admin = administrator_principal(store, clock)
    user_id = add(store, clock)
    with store.transaction() as session:
        with pytest.raises(InvalidInput) as raised:
            change_role(session=session, clock=clock, username="asha", role=Role.AGENCY, agency_code=None, actor=admin)
        assert raised.value.field == "agency_code"
        with pytest.raises(InvalidInput):
            change_role(session=session, clock=clock, username="asha", role=Role.VIEWER, agency_code="fire-central",
                        actor=admin)
        change_role(session=session, clock=clock, username="asha", role=Role.AGENCY, agency_code="fire-central",
                    actor=admin)
    with store.transaction() as session:
        principal = active_user_principal(session=session, user_id=user_id)
        assert principal.role is Role.AGENCY and principal.agency_id is not None
        assert session.scalar(select(TimelineEntry.summary).where(TimelineEntry.kind == "user.role_changed")) \
            == "role of asha: duty_officer -> agency (fire-central)"


def test_a_disabled_account_is_out_at_once_and_back_when_enabled(store, clock):
    admin = administrator_principal(store, clock)
    user_id = add(store, clock)
    for active in (False, False, True):
        with store.transaction() as session:
            set_account_active(session=session, clock=clock, username="asha", active=active, actor=admin)
        with store.transaction() as session:
            assert (active_user_principal(session=session, user_id=user_id) is not None) is active
    with store.transaction() as session:
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.kind.like("user.%abled"))).all()
    assert kinds == ["user.disabled", "user.enabled"]  # repeating a change records nothing


def test_an_administrator_cannot_disable_or_re_role_their_own_account(store, clock):
    admin = administrator_principal(store, clock)
    with store.transaction() as session:
        with pytest.raises(Conflict, match="cannot disable their own account"):
            set_account_active(session=session, clock=clock, username="root", active=False, actor=admin)
        with pytest.raises(Conflict):
            change_role(session=session, clock=clock, username="root", role=Role.VIEWER, agency_code=None, actor=admin)
        with pytest.raises(NotFound):
            set_account_active(session=session, clock=clock, username="nobody", active=False, actor=admin)


def test_the_last_active_administrator_can_be_neither_disabled_nor_re_roled_by_a_script(store, clock):
    # SYSTEM (the CLI, an API token) is no person, so "not yourself" cannot protect the account.
    add(store, clock, username="root", role=Role.ADMINISTRATOR)
    with store.transaction() as session:
        with pytest.raises(Conflict, match="last active administrator"):
            set_account_active(session=session, clock=clock, username="root", active=False, actor=SYSTEM)
        with pytest.raises(Conflict, match="last active administrator"):
            change_role(session=session, clock=clock, username="root", role=Role.VIEWER, agency_code=None,
                        actor=SYSTEM)
    add(store, clock, username="second", role=Role.ADMINISTRATOR)
    with store.transaction() as session:
        set_account_active(session=session, clock=clock, username="root", active=False, actor=SYSTEM)
    with store.transaction() as session:
        with pytest.raises(Conflict, match="cannot disable second"):
            set_account_active(session=session, clock=clock, username="second", active=False, actor=SYSTEM)
        assert change_role(session=session, clock=clock, username="root", role=Role.VIEWER, agency_code=None,
                           actor=SYSTEM).role is Role.VIEWER  # a disabled administrator is no safeguard


def test_two_administrators_disabled_at_once_leave_one_of_them_active(postgres_store, clock):
    add(postgres_store, clock, username="root", role=Role.ADMINISTRATOR)
    add(postgres_store, clock, username="second", role=Role.ADMINISTRATOR)
    with postgres_store.transaction() as session:
        set_account_active(session=session, clock=clock, username="root", active=False, actor=SYSTEM)
        other = OtherTransaction(postgres_store, lambda other_session: set_account_active(
            session=other_session, clock=clock, username="second", active=False, actor=SYSTEM))
        # It waits before it counts the administrators, so it counts after root is disabled.
        assert waits_for_a_lock(postgres_store, other.backend())
    with pytest.raises(Conflict, match="cannot disable second"):
        other.finish()
    with postgres_store.transaction() as session:
        assert session.scalars(select(User.username).where(User.is_active.is_(True))).all() == ["second"]


def test_a_username_taken_by_a_concurrent_request_is_a_conflict_not_a_database_error(store, clock):
    with store.transaction() as session:
        checked = []

        def taken_right_after_the_check(state):
            # The other request's row lands between create_user's check and its insert.
            if state.is_select and not checked:
                checked.append(True)
                result = state.invoke_statement()
                session.connection().execute(insert(User).values(
                    id=uuid.uuid4(), username="asha", display_name="Asha", role=Role.VIEWER, password_hash="x",
                    is_active=True, created_at=clock.now(), password_changed_at=clock.now()))
                return result
            return None

        event.listen(session, "do_orm_execute", taken_right_after_the_check)
        with pytest.raises(Conflict, match="taken"):
            create_user(session=session, clock=clock, actor=SYSTEM, new_user=NewUser(
                username="asha", display_name="Asha", role=Role.DUTY_OFFICER, password=PASSWORD))
        assert checked
        # The savepoint kept the transaction usable: the winner's row is still there.
        assert session.scalar(select(User.display_name).where(User.username == "asha")) == "Asha"
