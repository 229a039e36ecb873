"""Celery tasks of news: thin wrappers around the actions."""

from __future__ import annotations

from celery import shared_task

from preau.news import actions


@shared_task
def publish_due_news_task() -> int:
    """Every minute (beat): publish the scheduled news whose time has come (idempotent)."""
    return actions.publish_due_news()
