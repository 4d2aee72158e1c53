"""Values remembered for the rest of a session's transaction, forgotten when a savepoint ends.

`session.info` outlives transactions and savepoints; a value kept there about the database (the
timeline's head, a lock held) is wrong once the savepoint it was learnt in rolls back. Each value
is kept with the transaction it was learnt in, and recalled only while that transaction or one of
its savepoints is the current one. A savepoint that ends forgets what was learnt in it, even when
it was released; the caller asks the database again, which is correct in both cases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, SessionTransaction

_MISSING = object()


def remember(session: Session, key: str, value: Any) -> None:
    session.info[key] = (_innermost(session), value)


def recall(session: Session, key: str, default: Any = None) -> Any:
    """The value remembered under `key` in this transaction or an enclosing one, else `default`."""
    learnt_in, value = session.info.get(key, (_MISSING, None))
    transaction = _innermost(session)
    while transaction is not None:
        if transaction is learnt_in:
            return value
        transaction = transaction.parent
    return default


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()
