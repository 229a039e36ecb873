"""Celery tasks of the CAS server: single-logout posts and the hourly ticket purge."""

from __future__ import annotations

from celery import shared_task

from preau.sso.cas import actions


@shared_task(acks_late=True)
def send_logout_requests(notices: list[list[str]]) -> list[int]:
    """Post a LogoutRequest to each [url, login, ticket]; the statuses (0: unreachable)."""
    return [
        actions.send_logout_request(url=url, login=login, ticket=ticket)
        for url, login, ticket in notices
    ]


@shared_task
def purge_tickets_task() -> int:
    return actions.purge_tickets()
