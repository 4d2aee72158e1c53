"""What a request works with: the app's services, its transaction and its caller."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from flask import current_app, g, request
from pydantic import BaseModel

from coordination import (
    Clock,
    Forbidden,
    Principal,
    RecordedRefusal,
    Role,
    Store,
    Unauthenticated,
    authenticate,
)
from coordination.api_tokens import record_token_use, token_use_due
from coordination.intake import Intake
from coordination.planner import TravelTimes
from coordination.store import Session
from web.app.config import Settings
from web.app.problems import BadRequestBody

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    travel: TravelTimes | None = None
    """Travel times on the dispatch road network (None: the demo city's)."""
    intake: Intake | None = None
    """The readings' intake path, for the HTTP and NGSI-LD doors."""


def services() -> Services:
    return current_app.extensions["iccc"]


def session() -> Session:
    return g.session


def principal() -> Principal:
    return g.principal


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthenticated("send an API token as `Authorization: Bearer <token>`")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <token>`")
    return token.strip()


def api(*roles: Role) -> Callable:
    """Run the view in one transaction, for a caller holding one of `roles` (any role if none).

    The transaction rolls back if the view raises, except for a `RecordedRefusal`, whose record
    (say, a forged alert on the timeline) is committed before the error is reported. The token's
    last use is recorded afterwards, in a transaction of its own, at most once a minute."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            context = services()
            use_to_record: Principal | None = None
            try:
                with context.store.transaction() as db:
                    caller = authenticate(session=db, clock=context.clock, token=bearer_token())
                    if token_use_due(session=db, principal=caller, now=context.clock.now()):
                        use_to_record = caller
                    if roles and caller.role not in roles:
                        raise Forbidden(f"the {caller.role.value} role may not do this")
                    g.session, g.principal = db, caller
                    try:
                        return view(*args, **kwargs)
                    except RecordedRefusal as refusal:
                        kept = refusal  # commit the record of the refusal, then report it
                raise kept
            finally:
                if use_to_record is not None:
                    _record_use(context, use_to_record)

        wrapper.allowed_roles = roles  # read by the OpenAPI document
        return wrapper

    return decorate


def integration(*roles: Role) -> Callable:
    """Authenticate a caller holding one of `roles`, then run the view outside any transaction.

    For the readings' doors: the intake writes its batch in its own transaction, outside the
    timeline's writer lock, which a request's transaction would hold (on SQLite, BEGIN IMMEDIATE)
    for as long as the view runs."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            context = services()
            with context.store.transaction() as db:
                caller = authenticate(session=db, clock=context.clock, token=bearer_token())
                use_due = token_use_due(session=db, principal=caller, now=context.clock.now())
            if use_due:
                _record_use(context, caller)
            if caller.role not in roles:
                raise Forbidden(f"the {caller.role.value} role may not do this")
            g.principal = caller
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorate


def _record_use(context: Services, caller: Principal) -> None:
    # Its own transaction, after the request's: a read stays a read, and the request's
    # transaction never waits on PostgreSQL's writer lock for a timestamp.
    with context.store.transaction() as db:
        record_token_use(session=db, token_id=caller.token_id, at=context.clock.now())


def json_body(model: type[ModelT]) -> ModelT:
    """Parse the request's JSON body into `model`.

    Raises:
        BadRequestBody: the body is not JSON (400, saying why: `web.app.request_limits`) or not a
            JSON object (422).
        InvalidInput: a value no database stores (422, naming the field).
        pydantic.ValidationError: a field is missing or wrong (422, naming the field).
    """
    if not request.is_json:
        raise BadRequestBody("send the body as JSON with `Content-Type: application/json`", status=415)
    data = request.get_json()
    if not isinstance(data, dict):
        raise BadRequestBody("the body must be a JSON object", status=422)
    return model.model_validate(data)


def optional_json_body(model: type[ModelT]) -> ModelT:
    """Like `json_body`, but an empty body means every field takes its default."""
    if not request.get_data(cache=True):
        return model.model_validate({})
    return json_body(model)


def public_api(view: Callable) -> Callable:
    """Run the view in one transaction with no caller: for the public feed only."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with services().store.transaction() as db:
            g.session = db
            return view(*args, **kwargs)

    wrapper.allowed_roles = ()
    wrapper.is_public = True  # read by the OpenAPI document: no security requirement
    return wrapper


def raw_body(*, mimetypes: tuple[str, ...], what: str) -> bytes:
    """The request body, if sent with one of `mimetypes`.

    Raises:
        BadRequestBody: another content type (415) or an empty body (400).
    """
    if request.mimetype not in mimetypes:
        raise BadRequestBody(f"send {what} with `Content-Type: {mimetypes[0]}`", status=415)
    data = request.get_data(cache=True)
    if not data:
        raise BadRequestBody(f"the body is empty: send {what}")
    return data
