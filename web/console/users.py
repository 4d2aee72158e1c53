"""Administrators' console: people's accounts. Create one (hashed with argon2 by
`coordination.users`, like `iccc users add`), change a role, disable or enable, reset a
password. An administrator cannot disable or re-role their own account."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from pydantic import ValidationError

from coordination import Conflict, InvalidInput, Role
from coordination.queries.agencies import agency_codes_by_id, all_users
from coordination.users import (
    MIN_PASSWORD_LENGTH,
    NewUser,
    change_role,
    create_user,
    set_account_active,
    set_password,
)
from web.app.context import services
from web.app.problems import status_for
from web.console.access import csrf_token
from web.console.forms import (
    administrator,
    administrator_posting,
    field_errors,
    form_text,
)

blueprint = Blueprint("user_admin", __name__)

PASSWORD_HELP = f"at least {MIN_PASSWORD_LENGTH} characters; tell the person to change it"


def _users_page(*, status: int = 200, create_errors: dict | None = None, row_errors: dict | None = None,
                row: str = ""):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        page = render_template(
            "admin/users.html", caller=caller, csrf_token=csrf_token(),
            users=all_users(db),
            agencies=agency_codes_by_id(db),
            roles=[(role.value, role.value.replace("_", " ")) for role in Role],
            form=request.form if request.method == "POST" and not row else {},
            create_errors=create_errors or {}, row_errors=row_errors or {}, row=row,
            password_help=PASSWORD_HELP, notices=get_flashed_messages(),
        )
    return page, status


@blueprint.get("/console/admin/users")
def users_page():
    return _users_page()


@blueprint.post("/console/admin/users")
def create():
    caller = administrator_posting()
    context = services()
    try:
        new_user = NewUser.model_validate({
            "username": form_text("username").lower(), "display_name": form_text("display_name") or form_text("username"),
            "role": form_text("role"), "password": request.form.get("password", ""),
            "agency_code": form_text("agency_code") or None})
        with context.store.transaction() as db:
            user = create_user(session=db, clock=context.clock, new_user=new_user, actor=caller)
            flash(f"{user.username} can sign in now ({user.role.value.replace('_', ' ')}).")
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = field_errors(error)
        if "password" in errors:  # pydantic's message would quote the length rule only
            errors["password"] = PASSWORD_HELP
        if isinstance(error, Conflict):
            errors = {"username": str(error)}
        return _users_page(status=status_for(error), create_errors=errors)
    return redirect(url_for("user_admin.users_page"))


@blueprint.post("/console/admin/users/<username>/<action>")
def change(username: str, action: str):
    """One change to one account: `role`, `disable`, `enable` or `password`."""
    caller = administrator_posting()
    context = services()
    try:
        with context.store.transaction() as db:
            if action == "role":
                role_name = form_text("role")
                if role_name not in {role.value for role in Role}:
                    raise InvalidInput("choose a role", field="role")
                role = Role(role_name)
                # The row's agency list shows the current agency: it matters only for an agency role.
                change_role(session=db, clock=context.clock, username=username, role=role,
                            agency_code=(form_text("agency_code") or None) if role is Role.AGENCY else None,
                            actor=caller)
                flash(f"{username} is now {role_name.replace('_', ' ')}.")
            elif action in ("disable", "enable"):
                set_account_active(session=db, clock=context.clock, username=username, active=action == "enable",
                                   actor=caller)
                flash(f"{username} is {action}d.")
            elif action == "password":
                set_password(session=db, clock=context.clock, username=username,
                             password=request.form.get("password", ""), actor=caller)
                flash(f"The password of {username} is reset.")
            else:
                abort(404)
    except (InvalidInput, Conflict) as error:
        errors = field_errors(error)
        return _users_page(status=status_for(error),
                           row_errors={f"{action}-{name}": message for name, message in errors.items()}, row=username)
    return redirect(url_for("user_admin.users_page") + f"#user-{username}")
