"""Celery tasks of the OpenID Connect provider: the nightly purge of expired tokens."""

from __future__ import annotations

from celery import shared_task
from oauth2_provider.models import clear_expired


@shared_task
def purge_expired_tokens_task() -> None:
    """Delete expired access tokens, revoked refresh tokens and expired codes (no personal
    data is changed, only spent credentials)."""
    clear_expired()
