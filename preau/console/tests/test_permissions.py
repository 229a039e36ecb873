"""The authorization matrix of every console page: who gets 200, who gets 404, and that a
refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from preau.console.tests.helpers import ALLOWED, ROLES, is_login_redirect, snapshot

# Pages of one school: GET answers 200 to its administrators and 404 to anyone else.
SCHOOL_PAGES: dict[str, Callable[[Any], str]] = {
    "school": lambda w: reverse("console:school", args=[w.school.pk]),
    "people": lambda w: reverse("console:people", args=[w.school.pk]),
    "person_new": lambda w: reverse("console:person_new", args=[w.school.pk]),
    "person": lambda w: reverse("console:person", args=[w.school.pk, w.pupil.pk]),
    "guardian": lambda w: reverse("console:person", args=[w.school.pk, w.guardian.pk]),
    "person_edit": lambda w: reverse("console:person_edit", args=[w.school.pk, w.pupil.pk]),
    "classes": lambda w: reverse("console:classes", args=[w.school.pk]),
    "class": lambda w: reverse("console:class", args=[w.school.pk, w.class_a.pk]),
    "letters": lambda w: reverse("console:letters", args=[w.school.pk, w.class_a.pk]),
    "groups": lambda w: reverse("console:groups", args=[w.school.pk]),
    "group": lambda w: reverse("console:group", args=[w.school.pk, w.group.pk]),
    "communication": lambda w: reverse("console:communication", args=[w.school.pk]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(SCHOOL_PAGES))
def test_school_pages_matrix(world, client_as, page, role):
    response = client_as(role).get(SCHOOL_PAGES[page](world))
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in ALLOWED:
        assert response.status_code == 200
        assert b"<h1>" in response.content
        assert b'class="breadcrumbs"' in response.content
    else:
        assert response.status_code == 404


# Pages of the whole console: any administrator opens them (scoped to what they administer).
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["console:index", "console:audit"])
def test_console_pages_matrix(world, client_as, name, role):
    response = client_as(role).get(reverse(name))
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in {"pupil", "teacher"}:
        assert response.status_code == 404
    else:
        assert response.status_code == 200


def _block_pupil2(w: Any) -> None:
    # Not world.pupil: a blocked person is logged out, and world.pupil is one of the roles.
    w.pupil2.is_blocked = True
    w.pupil2.blocked_reason = "Test"
    w.pupil2.save()


def _deactivate_pupil(w: Any) -> None:
    w.pupil.activated_at = None
    w.pupil.save()


# Writes: (url, form data, set-up). Refused: 404 (or the login page) and nothing changed.
POSTS: dict[str, tuple[Callable[[Any], str], Callable[[Any], dict], Callable[[Any], None]]] = {
    "person_new": (
        SCHOOL_PAGES["person_new"],
        lambda w: {"first_name": "Jeanne", "last_name": "Dupont", "profile": "pupil"},
        lambda w: None,
    ),
    "person_edit": (
        SCHOOL_PAGES["person_edit"],
        lambda w: {"first_name": "Léa", "last_name": "Martin-Roy", "login": "lea.martin-roy"},
        lambda w: None,
    ),
    "person_block": (
        lambda w: reverse("console:person_block", args=[w.school.pk, w.pupil.pk]),
        lambda w: {"reason": "Usurpation d'identité"},
        lambda w: None,
    ),
    "person_unblock": (
        lambda w: reverse("console:person_unblock", args=[w.school.pk, w.pupil2.pk]),
        lambda w: {},
        _block_pupil2,
    ),
    "person_reset_password": (
        lambda w: reverse("console:person_reset_password", args=[w.school.pk, w.pupil.pk]),
        lambda w: {},
        lambda w: None,
    ),
    "person_activation_code": (
        lambda w: reverse("console:person_activation_code", args=[w.school.pk, w.pupil.pk]),
        lambda w: {},
        _deactivate_pupil,
    ),
    "class_create": (
        SCHOOL_PAGES["classes"],
        lambda w: {"code": "5C", "name": "5e C"},
        lambda w: None,
    ),
    "class_details": (
        SCHOOL_PAGES["class"],
        lambda w: {"code": "6A", "name": "Sixième A"},
        lambda w: None,
    ),
    "class_pupils": (
        SCHOOL_PAGES["class"],
        lambda w: {"save_pupils": "1", "pupils": [w.pupil.pk, w.pupil_b.pk]},
        lambda w: None,
    ),
    "letters_pdf": (
        lambda w: reverse("console:letters_pdf", args=[w.school.pk, w.class_a.pk]),
        lambda w: {"guardians": "on"},
        _deactivate_pupil,
    ),
    "group_create": (
        SCHOOL_PAGES["groups"],
        lambda w: {"code": "CHO", "name": "Chorale", "kind": "manual"},
        lambda w: None,
    ),
    "group_details": (
        SCHOOL_PAGES["group"],
        lambda w: {"code": "LAT", "name": "Latin et grec", "kind": "teaching"},
        lambda w: None,
    ),
    "group_members": (
        SCHOOL_PAGES["group"],
        lambda w: {"save_members": "1", "members": [w.teacher_b.pk, w.pupil.pk]},
        lambda w: None,
    ),
    "communication": (
        SCHOOL_PAGES["communication"],
        lambda w: {"staff_to_school": "on", "pupil_to_staff": "on"},
        lambda w: None,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_writes_matrix(world, client_as, endpoint, role):
    url, data, setup = POSTS[endpoint]
    setup(world)
    client = client_as(role)
    before = snapshot()
    response = client.post(url(world), data(world))
    if role in ALLOWED:
        assert response.status_code in (200, 302), response.content[:2000]
        if response.status_code == 302:
            assert not is_login_redirect(response)
        assert snapshot() != before
    else:
        if role == "anonymous":
            assert is_login_redirect(response)
        else:
            assert response.status_code == 404
        assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("console:person_block", args=[w.school.pk, w.pupil.pk]),
        lambda w: reverse("console:person_reset_password", args=[w.school.pk, w.pupil.pk]),
        lambda w: reverse("console:person_activation_code", args=[w.school.pk, w.pupil.pk]),
    ],
)
def test_account_operations_refuse_get(world, client_as, url):
    before = snapshot()
    assert client_as("admin").get(url(world)).status_code == 405
    assert snapshot() == before
