"""Who is using the console: the session's person (password or token), role checks and CSRF."""

from __future__ import annotations

import secrets
import uuid
from typing import NoReturn

from flask import abort, redirect, request, url_for
from flask import session as cookie

from coordination import Forbidden, Principal, Role
from coordination.api_tokens import record_token_use, token_use_due
from coordination.queries.tokens import live_token_principal
from coordination.users import active_user_principal
from web.app.context import services
from web.app.problems import FormExpired
from web.console.nav import audience, role_label

BOARD_ROLES = frozenset({Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER})
"""Who watches the board: duty officers, administrators and viewers."""


def signed_in() -> Principal | None:
    """The person signed in by this session cookie (password or token), if still allowed in."""
    context = services()
    user_id = cookie.get("user_id")
    if user_id:
        with context.store.transaction() as db:
            principal = active_user_principal(session=db, user_id=uuid.UUID(user_id))
        if principal is None:
            cookie.clear()
        return principal
    token_id = cookie.get("token_id")
    if not token_id:
        return None
    with context.store.transaction() as db:
        principal = live_token_principal(db, uuid.UUID(token_id), now=context.clock.now())
        use_due = principal is not None and token_use_due(session=db, principal=principal, now=context.clock.now())
    if principal is None:
        cookie.clear()
    elif use_due:
        note_token_use(principal)
    return principal


def note_token_use(principal: Principal) -> None:
    """Record that the console was used with this token, as an API call would (a leaked token used
    in a browser shows up in the token list too); in a transaction of its own, after the read."""
    context = services()
    with context.store.transaction() as db:
        record_token_use(session=db, token_id=principal.token_id, at=context.clock.now())


def console_caller(roles: set[Role] | frozenset[Role]) -> Principal:
    """The signed-in person, if their role may open this page: otherwise to the sign-in page
    (nobody signed in) or 403 (signed in with another role). Every console page starts here."""
    caller = signed_in()
    if caller is None:
        abort(redirect(url_for("console.sign_in")))
    if caller.role not in roles:
        refuse(caller, roles)
    return caller


def script_caller(roles: set[Role] | frozenset[Role]) -> Principal:
    """The signed-in caller of a route a page's script reads (`read_by_scripts`): 401 when nobody
    is signed in (the script reloads, which leads to the sign-in page; a redirect would hand the
    script that page's HTML instead), else as `console_caller`."""
    caller = signed_in()
    if caller is None:
        abort(401)
    if caller.role not in roles:
        refuse(caller, roles)
    return caller


def refuse(caller: Principal, roles: set[Role] | frozenset[Role]) -> NoReturn:
    """Refuse (403) a route to `caller`, saying who may use it and who they are signed in as."""
    what = "page" if request.method in ("GET", "HEAD") else "form"
    raise Forbidden(f"this {what} is for {audience(roles)}; "
                    f"you are signed in as {caller.name} ({role_label(caller.role)})")


def require_csrf() -> None:
    """Refuse (400) a form post whose CSRF token is not this session's."""
    if not secrets.compare_digest(request.form.get("csrf", ""), cookie.get("csrf", "-")):
        raise FormExpired("this form was opened before your current session began, so it was not sent")


def csrf_token() -> str:
    if "csrf" not in cookie:
        cookie["csrf"] = secrets.token_urlsafe(24)
    return cookie["csrf"]
