"""Celery tasks of documents: thin wrappers around the actions."""

from __future__ import annotations

from celery import shared_task

from preau.documents import actions


@shared_task(acks_late=True)
def make_thumbnail(version_id: int) -> bool:
    """The thumbnail of an uploaded image or PDF (after the upload's commit)."""
    return actions.make_thumbnail(version_id)


@shared_task
def purge_trash_task() -> int:
    """Delete what has been in the trash longer than PREAU_DOCUMENT_TRASH_DAYS (daily)."""
    return actions.purge_trash()
