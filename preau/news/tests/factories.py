"""Helpers of the news tests: actors, and news written through the actions."""

from __future__ import annotations

from typing import Any

from preau.directory.queries import build_actor
from preau.news import actions
from preau.news.models import News


def actor(person: Any) -> Any:
    """The person acting in their first school (as the site would)."""
    return build_actor(person, tenant=person.tenant)


def draft(author: Any, *targets: str, **kw: Any) -> News:
    """A draft by `author` for the target keys (e.g. f"class_guardians:{c.pk}")."""
    kw.setdefault("title", "Sortie au musée jeudi")
    kw.setdefault("body", "<p>Rendez-vous à 8 h devant le collège.</p>")
    return actions.save_draft(actor=actor(author), targets=list(targets), **kw)


def published(author: Any, *targets: str, **kw: Any) -> News:
    """A news published directly by `author` (who must be allowed to)."""
    return actions.publish_news(actor=actor(author), news=draft(author, *targets, **kw))
