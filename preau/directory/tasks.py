"""Celery tasks of the directory: thin wrappers around the import runner and the actions."""

from __future__ import annotations

from celery import shared_task

from preau.directory.feeds.run import run_job


@shared_task(acks_late=True)
def run_import(job_id: int, apply: bool) -> str:
    """Preview or apply an import job; the job row holds the outcome."""
    return run_job(job_id, apply=apply).status
