"""Administrators' console, SOPs: every version with its status; an upload checked by the same
validator as the API, its messages shown beside the lines they name; activation, retirement,
and a version's step graph."""

from __future__ import annotations

import io

import pytest

from coordination.store.tables import SopVersion
from tests.web.console_session import sign_in_as

pytestmark = pytest.mark.database

STORM = """\
id: storm-drill
version: 1
title: Storm drill
trigger: {incident_types: [flood], min_severity: moderate}
target: 2h
steps:
  - id: assess
    task: {role: disaster_management, do: "Look at the water"}
  - id: close
    after: [assess]
    end: {outcome: resolved}
"""
MISSPELT = STORM.replace("after: [assess]", "after: [asess]")
WRONG_ROLE = STORM.replace("role: disaster_management", "role: wizards")


def line_block(page: str, number: int) -> str:
    return page.split(f'id="line-{number}"', 1)[1].split('<div class="line', 1)[0]


def test_the_library_lists_every_version_with_its_status(client, make_user):
    sign_in_as(client, make_user)
    page = client.get("/console/admin/sops").get_data(as_text=True)
    assert 'id="sop-building-fire-v1" class="sop-active"' in page


def test_a_validator_message_is_shown_beside_the_line_it_names(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/sops", data={"csrf": csrf, "sop": MISSPELT})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 problem found; nothing was stored" in page
    assert "waits for unknown step &#39;asess&#39;" in line_block(page, 10)
    assert 'class="line has-problem" id="line-10"' in page
    assert "problem" not in line_block(page, 9)
    assert "after: [asess]" in page.split('id="upload-sop"', 1)[1].split("</textarea>", 1)[0]  # kept for fixing
    with store.transaction() as session:
        assert session.get(SopVersion, ("storm-drill", 1)) is None


def test_a_schema_message_names_its_line_too(client, make_user):
    csrf = sign_in_as(client, make_user)
    page = client.post("/console/admin/sops", data={
        "csrf": csrf, "sop_file": (io.BytesIO(WRONG_ROLE.encode()), "storm.yaml")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "steps.0.task.role: Input should be" in line_block(page, 8)


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "choose a YAML file or paste the SOP"),
    ("id: [unclosed", "problem found"),
])
def test_an_empty_or_broken_file_is_explained(client, make_user, text, message):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/sops", data={"csrf": csrf, "sop": text})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_file_that_is_not_utf8_is_refused(client, make_user):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/sops", data={"csrf": csrf, "sop_file": (io.BytesIO(b"id: \xff\xfe"), "x.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)


def test_an_upload_is_staged_then_activated_then_retired(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    stored = client.post("/console/admin/sops", data={"csrf": csrf, "sop": STORM})
    assert stored.status_code == 302 and stored.headers["Location"].endswith("/console/admin/sops/storm-drill/versions/1")
    page = client.get(stored.headers["Location"]).get_data(as_text=True)
    assert '<span id="sop-status">inactive</span>' in page and "<svg" in page and "storm-drill v1 stored." in page
    base = "/console/admin/sops/storm-drill/versions/1"
    assert client.post(f"{base}/activate", data={"csrf": csrf}).status_code == 302
    with store.transaction() as session:
        assert session.get(SopVersion, ("storm-drill", 1)).is_active
    assert client.post(f"{base}/retire", data={"csrf": csrf}).status_code == 302
    again = client.post(f"{base}/activate", data={"csrf": csrf})
    assert again.status_code == 409 and "is retired and cannot be activated" in again.get_data(as_text=True)
    assert client.post(f"{base}/explode", data={"csrf": csrf}).status_code == 404


def test_ticking_activate_activates_on_upload(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    client.post("/console/admin/sops", data={"csrf": csrf, "sop": STORM, "activate": "yes"})
    with store.transaction() as session:
        assert session.get(SopVersion, ("storm-drill", 1)).is_active


def test_an_unknown_version_is_404(client, make_user):
    csrf = sign_in_as(client, make_user)
    assert client.get("/console/admin/sops/nothing/versions/1").status_code == 404
    assert client.post("/console/admin/sops/nothing/versions/1/activate", data={"csrf": csrf}).status_code == 404
