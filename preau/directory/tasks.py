"""Celery tasks of the directory: thin wrappers around the import runner and the actions."""

from __future__ import annotations

import logging

from celery import shared_task

from preau.directory.feeds.run import ImportBusyError, run_job

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=60)
def run_import(self: object, job_id: int, apply: bool) -> str:
    """Preview or apply an import job; the job row holds the outcome.

    When another import of the same scope runs, the job waits (retried every 30 s by a worker;
    left pending in eager mode, where the console offers to start it again).
    """
    try:
        return run_job(job_id, apply=apply).status
    except ImportBusyError:
        request = getattr(self, "request", None)
        if request is not None and not getattr(request, "is_eager", False):
            raise self.retry(countdown=30) from None  # type: ignore[attr-defined]
        return "busy"
    except Exception:
        # run_job has marked the job failed (nothing was changed); the console shows it.
        logger.exception("import job %s failed", job_id)
        return "failed"


@shared_task(acks_late=True)
def erase_expired_people_task() -> int:
    """Erase, in every tenant, the people whose deletion day has come; return how many.

    Must be scheduled daily — Celery beat (`preau.directory.tasks.erase_expired_people_task`,
    say at 03:00) or a cron line running `preau erase_expired_people` — or pre-deleted accounts
    are kept past the three months the law allows (see `preau/directory/retention.py`).
    """
    from preau.core.models import Tenant
    from preau.directory.actions import erase_expired_people

    return sum(erase_expired_people(tenant=tenant) for tenant in Tenant.objects.order_by("pk"))


@shared_task(acks_late=True)
def discard_old_import_files_task() -> int:
    """Delete the files of imports left unapplied for a week (run daily by Celery beat)."""
    from preau.core.models import Tenant
    from preau.directory.actions import discard_old_import_files

    return sum(discard_old_import_files(tenant=t) for t in Tenant.objects.order_by("pk"))
