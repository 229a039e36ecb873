"""Celery tasks of messaging: thin wrappers around the actions."""

from __future__ import annotations

from celery import shared_task

from preau.messaging import actions


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_message(message_id: int) -> int:
    """Write a sent message's copies (idempotent: a retry writes only what is missing)."""
    return actions.deliver(message_id)


@shared_task
def purge_trash_task() -> int:
    return actions.purge_trash()
