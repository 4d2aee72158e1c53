"""Signing a test client in to the console as a person, and reading a page's CSRF token and heading."""

from __future__ import annotations

import re

from coordination import Role


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def heading_of(page: str) -> str | None:
    """The text of the page's first-level heading (None: it has none)."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else None


def sign_in_as(client, make_user, role: Role = Role.ADMINISTRATOR, username: str = "root-admin",
               agency_code: str | None = None) -> str:
    """Sign the client in with a new account of `role`; return the session's CSRF token."""
    name, password = make_user(role, username, agency_code)
    token = csrf_of(client.get("/console/sign-in").get_data(as_text=True))
    response = client.post("/console/sign-in", data={"username": name, "password": password, "csrf": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client.get("/console/sign-in").get_data(as_text=True))  # signing in starts a new session
