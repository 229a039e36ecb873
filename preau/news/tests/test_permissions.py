"""The news permission matrix: who writes, publishes directly, validates, withdraws, comments,
changes the rules, and who may open a news in each status."""

from __future__ import annotations

from typing import Any

import pytest

from preau.news import actions
from preau.news.models import News
from preau.news.permissions import Perm, policy
from preau.news.tests.factories import actor, draft

pytestmark = pytest.mark.django_db

PEOPLE = [
    "pupil", "guardian", "teacher", "teacher_b", "staff", "director", "admin", "other_admin",
    "authority_admin", "operator", "foreign_admin",
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "writes_here", "manages_here"),
    [
        ("pupil", False, False),
        ("guardian", False, False),
        ("teacher", True, False),
        ("staff", True, False),
        ("director", True, True),
        ("admin", True, True),
        ("other_admin", False, False),
        ("authority_admin", True, True),
        ("operator", True, True),
        ("foreign_admin", False, False),
    ],
)
def test_who_writes_for_and_manages_the_school(world, who, writes_here, manages_here):
    person = actor(getattr(world, who))
    assert policy.can(person, Perm.WRITE, world.school) is writes_here
    assert policy.can(person, Perm.MANAGE_SETTINGS, world.school) is manages_here
    assert policy.can(person, Perm.WRITE, world.authority) is (
        who in {"authority_admin", "operator"}
    )


def submitted(world: Any) -> News:
    news = draft(world.teacher, f"class_guardians:{world.class_a.pk}")
    return actions.submit_news(actor=actor(world.teacher), news=news)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_matrix_on_a_submitted_news(world, who):
    news = submitted(world)
    person = actor(getattr(world, who))
    managers = {"director", "admin", "authority_admin", "operator"}
    assert policy.can(person, Perm.VALIDATE, news) is (who in managers)
    assert policy.can(person, Perm.WITHDRAW, news) is (who in managers | {"teacher"})
    assert policy.can(person, Perm.EDIT, news) is False  # submitted: no more editing
    assert policy.can(person, Perm.PUBLISH, news) is False
    opens = who in managers | {"teacher"}
    assert policy.visible(person, News.objects.filter(pk=news.pk)).exists() is opens


@pytest.mark.parametrize("who", PEOPLE)
def test_a_draft_is_its_author_s_alone(world, who):
    news = draft(world.teacher, f"class_guardians:{world.class_a.pk}")
    person = actor(getattr(world, who))
    assert policy.visible(person, News.objects.filter(pk=news.pk)).exists() is (who == "teacher")
    assert policy.can(person, Perm.EDIT, news) is (who == "teacher")
    assert policy.can(person, Perm.SUBMIT, news) is (who == "teacher")


@pytest.mark.parametrize("who", PEOPLE)
def test_who_opens_and_comments_a_published_news(world, who):
    news = draft(world.director, f"class_guardians:{world.class_a.pk}", allow_comments=True)
    news = actions.publish_news(actor=actor(world.director), news=news)
    person = actor(getattr(world, who))
    opens = who in {"guardian", "director", "admin", "authority_admin", "operator"}
    assert policy.visible(person, News.objects.filter(pk=news.pk)).exists() is opens
    assert policy.can(person, Perm.WITHDRAW, news) is (
        who in {"director", "admin", "authority_admin", "operator"}
    )
