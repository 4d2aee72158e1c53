"""Changes to an agency that build on what it has (its webhook secret, its endpoint) read it under
the writer lock, so two administrators acting at once do not undo each other."""

from __future__ import annotations

import pytest

from coordination import SYSTEM, Store
from coordination.agencies import agency_by_code, rotate_webhook_secret
from coordination.store.tables import Agency
from tests.concurrency import OtherTransaction, waits_for_a_lock

pytestmark = pytest.mark.database


def secrets_of(store: Store, code: str) -> tuple[str, str | None]:
    with store.transaction() as session:
        agency = agency_by_code(session, code)
        return agency.webhook_secret, agency.previous_webhook_secret


def test_a_rotation_is_the_new_secret_and_the_old_one_signs_beside_it(store, clock, make_agency):
    _agency_id, _token, first = make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/hook")
    with store.transaction() as session:
        shown = rotate_webhook_secret(session=session, clock=clock, agency=agency_by_code(session, "fire-central"),
                                      actor=SYSTEM)
    assert secrets_of(store, "fire-central") == (shown, first)


def test_two_rotations_at_once_chain_so_the_secret_each_was_shown_still_signs(postgres_store, clock, make_agency):
    agency_id, _token, first = make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/hook")
    shown: list[str] = []

    def rotate_the_agency_loaded_before(session) -> None:
        agency = session.get(Agency, agency_id)  # loaded before the first rotation commits
        waiting.append(True)
        shown.append(rotate_webhook_secret(session=session, clock=clock, agency=agency, actor=SYSTEM))

    waiting: list[bool] = []
    with postgres_store.transaction() as session:
        shown.append(rotate_webhook_secret(session=session, clock=clock,
                                           agency=agency_by_code(session, "fire-central"), actor=SYSTEM))
        other = OtherTransaction(postgres_store, rotate_the_agency_loaded_before)
        assert waits_for_a_lock(postgres_store, other.backend()) and waiting
    other.finish()
    first_shown, second_shown = shown
    # The second built on the first: the secret the first administrator handed over still signs.
    assert secrets_of(postgres_store, "fire-central") == (second_shown, first_shown)
    assert first not in secrets_of(postgres_store, "fire-central")
