"""Celery tasks of the timeline: thin wrappers around the actions."""

from __future__ import annotations

from celery import shared_task

from preau.timeline import actions
from preau.timeline.models import Period


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_task(notification_ids: list[int]) -> int:
    """E-mail at once and push for new notifications (idempotent: claims, see actions)."""
    return actions.deliver(notification_ids)


def queue_delivery(notification_ids: list[int]) -> None:
    """core.notify's deliverer: queue the delivery job (after the commit, never inline work)."""
    deliver_task.delay(list(notification_ids))


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_daily_digests_task() -> int:
    return actions.send_digests(Period.DAILY)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_weekly_digests_task() -> int:
    return actions.send_digests(Period.WEEKLY)
