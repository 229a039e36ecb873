"""The news JSON API (/api/v1/news): the news for me, one news (marks it read), mark read, and
for authors: the targets they may choose, create a draft, submit, publish.

Endpoints call the same actions and queries as the pages; `request.auth` is the Actor (session
or token). Another school's or tenant's news answers 404 and changes nothing; every refusal
carries a machine-readable `code` and a French `detail`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from preau.core.actor import Actor
from preau.core.pagination import BadCursorError
from preau.news import actions, queries
from preau.news.models import News, NewsRead
from preau.news.schemas import (
    NewsErrorOut,
    NewsIn,
    NewsOut,
    NewsPageOut,
    NewsSummaryOut,
    PageQueryIn,
    TargetChoiceOut,
)

router = Router(tags=["news"])

ERRORS: dict[int, type[NewsErrorOut]] = {
    400: NewsErrorOut,
    403: NewsErrorOut,
    404: NewsErrorOut,
    422: NewsErrorOut,
}
REFUSALS = (Http404, BadCursorError, PermissionDenied, ValidationError)


def _actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


def _error(exc: Exception) -> Status[dict[str, Any]]:
    if isinstance(exc, Http404):
        return Status(
            404, {"detail": _("This news does not exist or is not for you."), "code": "not_found"}
        )
    if isinstance(exc, BadCursorError):
        return Status(
            400,
            {
                "detail": _("The cursor is malformed or out of date: start again without `after`."),
                "code": "bad_cursor",
            },
        )
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": _("You are not allowed to do this."), "code": "forbidden"})
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
        detail = " ".join(m for messages in fields.values() for m in messages)
        codes = [e.code for errors in exc.error_dict.values() for e in errors if e.code]
        return Status(
            422, {"detail": detail, "code": codes[0] if codes else "invalid", "fields": fields}
        )
    return Status(422, {"detail": " ".join(exc.messages), "code": exc.code or "invalid"})


def _summary(news: News, *, is_read: bool) -> dict[str, Any]:
    author = news.author
    return {
        "id": news.pk,
        "title": news.title,
        "status": news.status,
        "author": {"id": author.pk, "full_name": author.full_name} if author else None,
        "school_id": news.school_id,
        "authority_id": news.authority_id,
        "is_urgent": news.is_urgent,
        "allow_comments": news.allow_comments,
        "publish_at": news.publish_at,
        "published_at": news.published_at,
        "expires_at": news.expires_at,
        "is_read": is_read,
    }


def _detail(news: News, *, is_read: bool) -> dict[str, Any]:
    return {
        **_summary(news, is_read=is_read),
        "body_html": news.body_html,
        "addressed": news.addressed,
        "rejection_reason": news.rejection_reason,
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "name": f.name,
                "size": f.size,
                "url": reverse("news:file", args=[f.pk]),
            }
            for f in queries.files_of(news)
        ],
    }


@router.get("", response={200: NewsPageOut, **ERRORS}, summary="The news for me, newest first")
def news_for_me(request: HttpRequest, filters: Query[PageQueryIn]) -> Status[dict[str, Any]]:
    """Published, not expired news whose audience reaches me (and mine). Keyset-paged: follow
    `next` (as `after`) until it is null."""
    try:
        page = queries.news_for(_actor(request), after=filters.after)
    except REFUSALS as exc:
        return _error(exc)
    items = [_summary(n, is_read=bool(getattr(n, "is_read", False))) for n in page.items]
    return Status(200, {"items": items, "next": page.next_cursor})


@router.get("/targets", response=list[TargetChoiceOut], summary="The audiences I may address")
def targets(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"key": c.key, "label": c.label, "group": group}
        for group, choices in queries.target_choices(_actor(request))
        for c in choices
    ]


@router.get("/{news_id}", response={200: NewsOut, **ERRORS}, summary="One news (marks it read)")
def read_news(request: HttpRequest, news_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        news = queries.access_news(actor, news_id)
        actions.mark_news_read(actor=actor, news=news)
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(news, is_read=news.status == News.Status.PUBLISHED))


@router.post("/{news_id}/read", response={200: NewsSummaryOut, **ERRORS}, summary="Mark read")
def mark_read(request: HttpRequest, news_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        news = queries.access_news(actor, news_id)
        actions.mark_news_read(actor=actor, news=news)
    except REFUSALS as exc:
        return _error(exc)
    is_read = NewsRead.objects.filter(news=news, person=actor.person).exists()
    return Status(200, _summary(news, is_read=is_read))


@router.post("", response={201: NewsOut, **ERRORS}, summary="Write a news (a draft)")
def create(request: HttpRequest, data: NewsIn) -> Status[dict[str, Any]]:
    """Targets are keys from `/news/targets`; a forged or forbidden one refuses the draft
    (422 `bad_target` or `target_refused`). Then `/submit` or `/publish` it."""
    try:
        news = actions.save_draft(
            actor=_actor(request),
            title=data.title,
            body=data.body,
            targets=data.targets,
            publish_at=data.publish_at,
            expires_at=data.expires_at,
            is_urgent=data.is_urgent,
            allow_comments=data.allow_comments,
        )
    except REFUSALS as exc:
        return _error(exc)
    return Status(201, _detail(news, is_read=False))


@router.post(
    "/{news_id}/submit", response={200: NewsOut, **ERRORS}, summary="Submit for validation"
)
def submit(request: HttpRequest, news_id: int) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        news = actions.submit_news(actor=actor, news=queries.access_news(actor, news_id))
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(news, is_read=False))


@router.post("/{news_id}/publish", response={200: NewsOut, **ERRORS}, summary="Publish directly")
def publish(request: HttpRequest, news_id: int) -> Status[dict[str, Any]]:
    """Allowed to the management, and to the authors the school lets publish directly
    (else 403 `forbidden`: submit it). A future `publish_at` schedules it."""
    actor = _actor(request)
    try:
        news = actions.publish_news(actor=actor, news=queries.access_news(actor, news_id))
    except REFUSALS as exc:
        return _error(exc)
    return Status(200, _detail(news, is_read=False))
