"""The directory API: /api/v1/me, /api/v1/schools/{id}/classes, /api/v1/people."""

from __future__ import annotations

import hashlib
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from preau.accounts.models import ApiToken
from preau.core.pagination import encode_cursor
from preau.directory import models as m
from preau.directory.tests import factories as f

ME = "/api/v1/me"
PEOPLE = "/api/v1/people"
LOGINS = count()


def classes_url(school: Any) -> str:
    return f"/api/v1/schools/{school.pk}/classes"


def pupil_in(world: Any, first: str, last: str) -> Any:
    person = f.PersonFactory(
        tenant=world.tenant, first_name=first, last_name=last, login=f"api{next(LOGINS)}"
    )
    m.Membership.objects.create(
        tenant=world.tenant,
        person=person,
        school=world.school,
        year=world.year,
        profile=m.Profile.PUPIL,
        school_class=world.class_a,
    )
    return person


# --- /me ----------------------------------------------------------------------------------


def test_me_for_a_pupil(world, client_for):
    response = client_for(world.pupil).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world.pupil.pk
    assert body["login"] == world.pupil.login
    assert (body["first_name"], body["last_name"]) == ("Léa", "Martin")
    assert body["email"] == world.pupil.email
    assert body["language"] == "fr"
    assert body["profiles"] == [
        {
            "school": {"id": world.school.pk, "uai": world.school.uai, "name": world.school.name},
            "profile": "pupil",
            "functions": [],
            "national_codes": ["National_ELV"],
            "school_class": {
                "id": world.class_a.pk,
                "code": "6A",
                "name": "6e A",
                "school_id": world.school.pk,
            },
            "is_school_admin": False,
        }
    ]
    assert [(c["id"], c["role"]) for c in body["classes"]] == [(world.class_a.pk, "pupil")]
    assert body["children"] == []


def test_me_for_a_guardian_lists_the_children(world, client_for):
    m.GuardianLink.objects.create(
        tenant=world.tenant,
        pupil=world.pupil_b,
        guardian=world.guardian,
        level=m.GuardianLink.Level.IN_CHARGE,
    )
    body = client_for(world.guardian).get(ME).json()
    assert [p["national_codes"] for p in body["profiles"]] == [["National_TUT"]]
    assert body["classes"] == []
    assert [(c["id"], [k["name"] for k in c["classes"]]) for c in body["children"]] == [
        (world.pupil_b.pk, ["6e B"]),  # Dubois before Martin
        (world.pupil.pk, ["6e A"]),
    ]


def test_me_for_a_teacher_and_staff(world, client_for):
    body = client_for(world.teacher).get(ME).json()
    assert body["classes"] == [
        {
            "id": world.class_a.pk,
            "code": "6A",
            "name": "6e A",
            "school_id": world.school.pk,
            "role": "teacher",
            "is_main_teacher": True,
        }
    ]
    body = client_for(world.admin).get(ME).json()
    assert body["profiles"][0]["national_codes"] == ["National_ETA"]
    assert body["profiles"][0]["is_school_admin"] is True
    assert client_for(world.operator).get(ME).json()["profiles"] == []


def test_me_query_count(world, client_for, django_assert_num_queries):
    client = client_for(world.guardian)
    client.get(ME)
    # session, person, the actor's memberships and authorities, assignments, children (2)
    with django_assert_num_queries(7):
        assert client.get(ME).status_code == 200


def test_anonymous_gets_401(world):
    client = Client()
    for url in (ME, PEOPLE, classes_url(world.school)):
        response = client.get(url)
        assert response.status_code == 401, url


# --- Bearer tokens ------------------------------------------------------------------------


def token_for(person: Any, token: str, **kw: Any) -> ApiToken:
    return ApiToken.objects.create(
        tenant=person.tenant,
        person=person,
        label="script",
        key_hash=hashlib.sha256(token.encode()).hexdigest(),
        **kw,
    )


def test_bearer_token_authenticates(world):
    token_for(world.teacher, "s3cret-token")
    client = Client()
    response = client.get(ME, HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response.json()["id"] == world.teacher.pk
    response = client.get(PEOPLE, {"search": "martin"}, HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert {p["id"] for p in response.json()["items"]} == {world.pupil.pk, world.guardian.pk}
    assert ApiToken.objects.get(person=world.teacher).last_used_at is not None


def test_bad_revoked_or_foreign_tokens_get_401(world):
    token_for(world.teacher, "revoked-token", revoked_at=timezone.now())
    token_for(world.foreign_admin, "foreign-token")
    client = Client()
    for token in ("wrong-token", "revoked-token", "foreign-token"):
        assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    # the foreign token works on its own tenant's host only
    foreign = Client(HTTP_HOST="other.test")
    response = foreign.get(ME, HTTP_AUTHORIZATION="Bearer foreign-token")
    assert response.json()["id"] == world.foreign_admin.pk


def test_blocked_persons_token_gets_401(world):
    token_for(world.teacher, "blocked-token")
    m.Person.objects.filter(pk=world.teacher.pk).update(is_blocked=True)
    assert Client().get(ME, HTTP_AUTHORIZATION="Bearer blocked-token").status_code == 401


# --- /schools/{id}/classes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "school", "status"),
    [
        ("pupil", "school", 200),
        ("pupil", "other_school", 404),
        ("pupil", "foreign_school", 404),
        ("guardian", "school", 200),
        ("teacher", "other_school", 404),
        ("admin", "school", 200),
        ("admin", "other_school", 404),
        ("other_admin", "school", 404),
        ("authority_admin", "other_school", 200),
        ("operator", "other_school", 200),
        ("operator", "foreign_school", 404),
        ("foreign_admin", "foreign_school", 200),
        ("foreign_admin", "school", 404),
    ],
)
def test_classes_isolation(world, client_for, who, school, status):
    response = client_for(getattr(world, who)).get(classes_url(getattr(world, school)))
    assert response.status_code == status
    if status == 404:
        assert "6e" not in response.content.decode()


def test_classes_of_a_school(world, client_for):
    level = m.Level.objects.create(tenant=world.tenant, code="10010012110", label="6EME")
    m.SchoolClass.objects.filter(pk=world.class_a.pk).update(level=level)
    body = client_for(world.admin).get(classes_url(world.school)).json()
    assert body == [
        {
            "id": world.class_a.pk,
            "code": "6A",
            "name": "6e A",
            "level_code": "10010012110",
            "level": "6EME",
        },
        {"id": world.class_b.pk, "code": "6B", "name": "6e B", "level_code": None, "level": None},
    ]


def test_classes_of_a_missing_school_is_404(world, client_for):
    assert client_for(world.operator).get("/api/v1/schools/999999/classes").status_code == 404


# --- /people -------------------------------------------------------------------------------


def test_people_search(world, client_for):
    pupil_in(world, "Éloïse", "Dupont")
    response = client_for(world.teacher).get(PEOPLE, {"search": "eloise dup"})
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [(p["full_name"], p["profiles"]) for p in body["items"]] == [
        (
            "Éloïse Dupont",
            [
                {
                    "school_id": world.school.pk,
                    "school_name": world.school.name,
                    "profile": "pupil",
                    "class_name": "6e A",
                }
            ],
        )
    ]


def test_people_are_only_writable_ones(world, client_for):
    body = client_for(world.pupil).get(PEOPLE).json()
    assert {p["id"] for p in body["items"]} == {
        world.teacher.pk,
        world.teacher_b.pk,
        world.pupil2.pk,
    }


@pytest.mark.parametrize("who", ["teacher", "admin", "authority_admin", "operator"])
def test_people_never_show_another_tenant(world, client_for, who):
    client = client_for(getattr(world, who))
    for search in ("emma petit", "petit", "fanny garnier"):
        assert client.get(PEOPLE, {"search": search}).json()["items"] == []
    ids = {p["id"] for p in client.get(PEOPLE, {"limit": 100}).json()["items"]}
    assert world.foreign_pupil.pk not in ids
    assert world.foreign_admin.pk not in ids


def test_people_of_the_other_tenant_see_nobody_here(world, client_for):
    client = client_for(world.foreign_admin)
    assert client.get(PEOPLE, {"search": "martin"}).json()["items"] == []
    assert [p["id"] for p in client.get(PEOPLE).json()["items"]] == [world.foreign_pupil.pk]


def test_people_pages_follow_next(world, client_for):
    for i in range(7):
        pupil_in(world, f"Élève{i}", "Aubert")
    client = client_for(world.staff)
    seen, after = [], None
    while True:
        params = {"limit": 4, **({"after": after} if after else {})}
        body = client.get(PEOPLE, params).json()
        seen += [p["id"] for p in body["items"]]
        after = body["next"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 7 + 9  # the new pupils and the school minus oneself


def test_people_limit_is_capped_at_100(world, client_for):
    for i in range(103):
        pupil_in(world, f"Élève{i:03d}", "Aubert")
    body = client_for(world.teacher).get(PEOPLE, {"limit": 500}).json()
    assert len(body["items"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_people_bad_limit_is_422(world, client_for, limit):
    assert client_for(world.teacher).get(PEOPLE, {"limit": limit}).status_code == 422


@pytest.mark.parametrize(
    "after", ["garbage!!", "WzFd", encode_cursor(["martin", "x"]), encode_cursor([1, 2, 3])]
)
def test_people_bad_cursor_is_400_with_a_code(world, client_for, after):
    response = client_for(world.teacher).get(PEOPLE, {"after": after})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_cursor"
    assert body["detail"]


def test_people_query_count(world, client_for, django_assert_num_queries):
    for i in range(30):
        pupil_in(world, f"Élève{i:02d}", "Aubert")
    client = client_for(world.teacher)
    client.get(PEOPLE)
    # Session and person, the actor (memberships, authorities), the rules, the page and its
    # people's memberships: the same for any page size.
    with django_assert_num_queries(7):
        assert len(client.get(PEOPLE, {"limit": 25}).json()["items"]) == 25


def test_openapi_schema_builds(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/v1/me", "/api/v1/people", "/api/v1/schools/{school_id}/classes"):
        assert path in schema["paths"]
    assert "ErrorOut" in schema["components"]["schemas"]
