"""The pickers' search: people the actor may write to, accent-insensitive, keyset-paged."""

from __future__ import annotations

import html as html_lib
import re
from itertools import count
from typing import Any

import pytest

from preau.core.pagination import BadCursorError, encode_cursor
from preau.directory import models as m
from preau.directory.communication import writable_people
from preau.directory.queries import build_actor, people_visible_to
from preau.directory.tests import factories as f


def actor_of(person: Any) -> Any:
    return build_actor(person, tenant=person.tenant)


LOGINS = count()


def pupil_in(world: Any, first: str, last: str, school_class: Any = None) -> Any:
    person = f.PersonFactory(
        tenant=world.tenant, first_name=first, last_name=last, login=f"eleve{next(LOGINS)}"
    )
    m.Membership.objects.create(
        tenant=world.tenant,
        person=person,
        school=world.school,
        year=world.year,
        profile=m.Profile.PUPIL,
        school_class=school_class or world.class_a,
    )
    return person


def found(actor: Any, search: str, **kw: Any) -> list[int]:
    return [p.pk for p in people_visible_to(actor, search=search, **kw).items]


@pytest.mark.parametrize(
    "search", ["eloise dup", "Éloïse", "ELOISE", "dupont éloïse", "  dupont   eloise ", "LOÏ"]
)
def test_search_ignores_accents_case_and_word_order(world, search):
    eloise = pupil_in(world, "Éloïse", "Dupont")
    assert found(actor_of(world.teacher), search) == [eloise.pk]


@pytest.mark.parametrize("search", ["eloise dupond", "dupont zoe", "%", "_", "dup%nt"])
def test_every_word_must_match(world, search):
    pupil_in(world, "Éloïse", "Dupont")
    assert found(actor_of(world.teacher), search) == []


def test_search_only_finds_writable_people(world):
    # pupil_b (Chloé Dubois, class_b) and guardian_b (Marc Dubois) are out of a pupil's reach.
    assert found(actor_of(world.pupil), "dubois") == []
    teacher = actor_of(world.teacher)
    assert set(found(teacher, "dubois")) == {world.pupil_b.pk, world.guardian_b.pk}
    assert set(found(teacher, "martin")) == {world.guardian.pk, world.pupil.pk}
    assert found(teacher, "durand") == []  # the teacher themself


@pytest.mark.parametrize("who", ["teacher", "operator", "authority_admin", "admin"])
def test_search_never_crosses_tenants(world, who):
    actor = actor_of(getattr(world, who))
    assert found(actor, "emma petit") == []  # foreign_pupil, by exact name
    assert found(actor, "garnier") == []  # foreign_admin
    every = set()
    page = people_visible_to(actor, limit=100)
    every |= {p.tenant_id for p in page.items}
    assert every == {world.tenant.pk}


def test_blocked_people_are_not_found(world):
    blocked = pupil_in(world, "Zoé", "Bloquée")
    m.Person.objects.filter(pk=blocked.pk).update(is_blocked=True)
    assert found(actor_of(world.teacher), "bloquee") == []


def test_filters_by_profile_and_school(world):
    operator = actor_of(world.operator)
    assert set(found(operator, "", profile=m.Profile.TEACHER)) == {
        world.teacher.pk,
        world.teacher_b.pk,
        world.other_teacher.pk,
    }
    assert set(found(operator, "", profile=m.Profile.TEACHER, school_id=world.other_school.pk)) == {
        world.other_teacher.pk
    }
    assert set(found(operator, "", school_id=world.other_school.pk)) == {
        world.other_pupil.pk,
        world.other_teacher.pk,
        world.other_admin.pk,
    }
    assert found(operator, "", profile="nonsense") == []


def test_pages_cover_every_writable_person_once_in_order(world):
    # Namesakes: ties on search_name are broken by id.
    for _ in range(4):
        pupil_in(world, "Léa", "Martin")
    for i in range(5):
        pupil_in(world, f"Élève{i}", "Aubert", world.class_b)
    actor = actor_of(world.staff)
    expected = list(
        writable_people(actor).order_by("search_name", "id").values_list("pk", flat=True)
    )
    assert len(expected) > 12
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = people_visible_to(actor, after=after, limit=3)
        assert len(page.items) <= 3
        seen += [p.pk for p in page.items]
        pages += 1
        if not page.has_next:
            break
        after = page.next_cursor
    assert seen == expected  # no duplicates, no gaps, ordered
    assert pages == -(-len(expected) // 3)


def test_pages_of_a_search(world):
    namesakes = [pupil_in(world, "Léa", "Martin") for _ in range(3)]
    actor = actor_of(world.teacher)
    first = people_visible_to(actor, search="lea mart", limit=2)
    second = people_visible_to(actor, search="lea mart", limit=2, after=first.next_cursor)
    got = [p.pk for p in first.items + second.items]
    assert got == sorted([world.pupil.pk, *(p.pk for p in namesakes)])
    assert not second.has_next


def test_a_page_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    for i in range(30):
        pupil_in(world, f"Prénom{i}", f"Nom{i}", world.class_a if i % 2 else world.class_b)
    actor = actor_of(world.teacher)
    # the school's rules, the page, its people's memberships (with school and class)
    with django_assert_num_queries(3):
        page = people_visible_to(actor, limit=20)
        labels = [
            (ms.profile, ms.school.name, ms.school_class and ms.school_class.name)
            for p in page.items
            for ms in p.current_memberships
        ]
    assert len(page.items) == 20
    assert len(labels) >= 20
    with django_assert_num_queries(3):
        page = people_visible_to(actor, search="nom", limit=20, after=page.next_cursor)
        [ms.school.name for p in page.items for ms in p.current_memberships]


def test_memberships_shown_are_this_years(world):
    past = f.SchoolYearFactory(tenant=world.tenant, start_year=2025, is_current=False)
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.pupil,
        school=world.other_school,
        year=past,
        profile=m.Profile.PUPIL,
    )
    (lea,) = people_visible_to(actor_of(world.teacher), search="lea martin").items
    assert [(ms.school_id, ms.school_class_id) for ms in lea.current_memberships] == [
        (world.school.pk, world.class_a.pk)
    ]


def test_limit_is_bounded(world):
    actor = actor_of(world.operator)
    assert len(people_visible_to(actor, limit=0).items) == 1
    assert len(people_visible_to(actor, limit=-5).items) == 1
    assert len(people_visible_to(actor, limit=10_000).items) == 14  # all, within the cap


@pytest.mark.parametrize(
    "token", ["garbage!!", "WzFd", encode_cursor(["martin", "not-a-number"]), encode_cursor([1])]
)
def test_bad_cursor_is_refused(world, token):
    with pytest.raises(BadCursorError):
        people_visible_to(actor_of(world.teacher), after=token)


# --- The picker partial: GET /directory/people/search -----------------------------------------

SEARCH_URL = "/directory/people/search"


def test_picker_lists_matching_people(world, client_for):
    pupil_in(world, "Éloïse", "Dupont")
    response = client_for(world.teacher).get(SEARCH_URL, {"q": "eloise dup"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="listbox"' in html
    assert 'role="option"' in html
    assert "Éloïse Dupont" in html
    assert "6e A" in html
    assert "Collège Victor Hugo" in html
    assert "people-results-more" in html


def test_picker_shows_only_writable_people(world, client_for):
    html = client_for(world.pupil).get(SEARCH_URL, {"q": "dubois"}).content.decode()
    assert "Chloé" not in html
    assert "Marc" not in html
    assert 'role="listbox"' not in html
    html = client_for(world.teacher).get(SEARCH_URL, {"q": "petit"}).content.decode()
    assert "Emma" not in html


def test_picker_empty_state_names_the_search(world, client_for):
    response = client_for(world.teacher).get(SEARCH_URL, {"q": "zzz<b>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "zzz&lt;b&gt;" in html
    assert "<b>" not in html
    assert 'class="empty-state"' in html


def test_picker_escapes_the_search_in_the_list_label(world, client_for):
    pupil_in(world, "Éloïse", "Dupont")
    html = client_for(world.teacher).get(SEARCH_URL, {"q": 'dup"><x'}).content.decode()
    assert "<x" not in html


def test_picker_more_results_follow_the_cursor(world, client_for):
    for i in range(25):
        pupil_in(world, f"Élève{i:02d}", "Aubert")
    client = client_for(world.teacher)
    first = client.get(SEARCH_URL, {"q": "aubert"}).content.decode()
    assert first.count('role="option"') == 20
    more = re.search(r'href="([^"]+)"', first.split('id="people-results-more"')[1]).group(1)
    more = html_lib.unescape(more)
    assert more.startswith(SEARCH_URL + "?q=aubert&after=")
    second = client.get(more)
    assert second.status_code == 200
    html = second.content.decode()
    assert html.count('role="option"') == 5
    assert 'hx-swap-oob="true"' in html
    assert 'role="listbox"' not in html  # options only, appended to the list
    first_ids = set(re.findall(r'data-person-id="(\d+)"', first))
    second_ids = set(re.findall(r'data-person-id="(\d+)"', html))
    assert len(first_ids | second_ids) == 25
    assert not first_ids & second_ids


def test_picker_page_query_count(world, client_for, django_assert_num_queries):
    for i in range(25):
        pupil_in(world, f"Élève{i:02d}", "Aubert")
    client = client_for(world.teacher)
    client.get(SEARCH_URL)  # warm the session
    # Session and person (2), the actor: memberships and authorities (2), then the rules, the
    # page and its people's memberships (3): the same for any number of results.
    with django_assert_num_queries(7):
        response = client.get(SEARCH_URL, {"q": "aubert"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"after": "garbage!!"},
        {"after": encode_cursor(["a", "b"])},
        {"q": "x", "after": "WzFd"},
        {"profile": "wizard"},
        {"school": "abc"},
    ],
)
def test_picker_bad_input_is_400_with_a_message(world, client_for, params):
    response = client_for(world.teacher).get(SEARCH_URL, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_picker_filters(world, client_for):
    client = client_for(world.operator)
    html = client.get(SEARCH_URL, {"profile": "teacher", "school": world.other_school.pk})
    ids = set(re.findall(r'data-person-id="(\d+)"', html.content.decode()))
    assert ids == {str(world.other_teacher.pk)}


def test_picker_requires_login(world, client):
    response = client.get(SEARCH_URL, {"q": "martin"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_picker_is_get_only(world, client_for):
    assert client_for(world.teacher).post(SEARCH_URL, {"q": "a"}).status_code == 405


def test_a_linked_guardian_without_membership_is_found(world):
    """PostgreSQL narrows the candidates to the actor's schools first (people_visible_to): a
    guardian known only by a guardian link must still be found."""
    from preau.directory.models import GuardianLink
    from preau.directory.queries import build_actor, people_visible_to
    from preau.directory.tests.factories import PersonFactory

    lone = PersonFactory(tenant=world.tenant, first_name="Yvette", last_name="Zorglub")
    GuardianLink.objects.create(tenant=world.tenant, pupil=world.pupil, guardian=lone, level=1)
    teacher = build_actor(world.teacher, tenant=world.tenant)
    assert [p.pk for p in people_visible_to(teacher, search="zorg").items] == [lone.pk]
    assert [p.pk for p in people_visible_to(teacher, search="zo").items] == [lone.pk]
    other = build_actor(world.other_teacher, tenant=world.tenant)
    assert people_visible_to(other, search="zorg").items == []
