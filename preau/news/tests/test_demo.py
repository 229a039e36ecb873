"""The news demo hook: realistic news through the actions, idempotent."""

from __future__ import annotations

import pytest

from preau.core.models import Notification
from preau.news.demo import CLOSURE, seed_demo_news
from preau.news.models import News
from preau.news.queries import flash_for, to_validate
from preau.news.tests.factories import actor

pytestmark = pytest.mark.django_db


def test_the_demo_news_are_seeded_once(world):
    seeded = seed_demo_news(world.tenant, [world.school, world.foreign_school])
    assert [n.status for n in seeded] == ["published", "published", "submitted"]
    assert seed_demo_news(world.tenant, [world.school]) == []
    assert News.objects.count() == 3
    assert Notification.objects.filter(kind="news.published").count() == 2
    [closure] = flash_for(actor(world.guardian))
    assert closure.title == CLOSURE
    assert len(list(to_validate(actor(world.director)))) == 1
