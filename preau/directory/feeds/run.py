"""Running an import job: lock its scope, parse, reconcile in one transaction, keep the report.

A preview runs exactly the import, inside a transaction that is then rolled back: the preview and
the real import are the same code and cannot disagree, and the directory is left untouched (see
docs/feeds.md for the cost of that choice). A crash anywhere rolls the transaction back too, so
the directory is always as it was before the import, or as the whole import leaves it.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.core.audit import record_audit
from preau.directory.feeds import aaf
from preau.directory.feeds.reconcile import Reconciler, Report, store_changes
from preau.directory.feeds.records import FeedError, ParseProgress, Record, blocking
from preau.directory.models import ImportChange, ImportJob, Profile
from preau.directory.queries import build_actor, current_year

logger = logging.getLogger(__name__)
ERRORS_KEPT = 1000
PROGRESS_KEY = "preau:import-progress:{}"


class _RollbackError(Exception):
    """Leaves the import's transaction without keeping anything."""


class ImportBusyError(Exception):
    pass


def progress_of(job: ImportJob) -> dict[str, Any]:
    """{"done", "total", "percent", "phase"} of a running job (from the cache), or of a finished
    one (100 %)."""
    if not job.is_running:
        return {"done": 1, "total": 1, "percent": 100, "phase": job.status}
    data = cache.get(PROGRESS_KEY.format(job.pk)) or {"done": 0, "total": 0, "phase": "parse"}
    total = max(int(data.get("total") or 0), 1)
    percent = min(99, int(100 * int(data.get("done") or 0) / total))
    return {**data, "percent": percent}


def _parser(job: ImportJob) -> Callable[..., Iterator[Record]]:
    if job.format == ImportJob.Format.AAF:
        return aaf.parse
    uai = job.school.uai if job.school else ""
    if job.format == ImportJob.Format.SIECLE:
        from preau.directory.feeds import siecle

        return lambda paths, **kw: siecle.parse(paths, uai=uai, **kw)
    if job.format == ImportJob.Format.STS:
        from preau.directory.feeds import sts

        return lambda paths, **kw: sts.parse(paths, uai=uai, **kw)
    from preau.directory.feeds import csvfeed

    return lambda paths, **kw: csvfeed.parse(paths, uai=uai, profile=job.profile, **kw)


def covered_profiles(job: ImportJob, paths: list[Path]) -> set[str]:
    if not job.complete:
        return set()
    if job.format == ImportJob.Format.AAF:
        return aaf.covered_profiles(paths)
    if job.format == ImportJob.Format.STS:
        return {Profile.TEACHER, Profile.STAFF}
    if job.format == ImportJob.Format.SIECLE:
        return {Profile.PUPIL, Profile.GUARDIAN}
    return {job.profile}


@contextmanager
def local_files(job: ImportJob) -> Iterator[list[Path]]:
    """The job's stored files as local paths (copied out of remote storage when needed)."""
    try:
        yield [Path(default_storage.path(f["path"])) for f in job.files]
        return
    except NotImplementedError:
        pass
    folder = Path(tempfile.mkdtemp(prefix="preau-import-"))
    try:
        paths = []
        for f in job.files:
            target = folder / Path(f["name"]).name
            with default_storage.open(f["path"], "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            paths.append(target)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _lock(job: ImportJob, status: str) -> None:
    """Mark the job running; the database refuses a second running job of the same scope."""
    stale = timezone.now() - timedelta(minutes=settings.PREAU_IMPORT_STALE_MINUTES)
    ImportJob.objects.filter(
        tenant_id=job.tenant_id,
        scope_key=job.scope_key,
        status__in=ImportJob.RUNNING,
        started_at__lt=stale,
    ).update(status=ImportJob.Status.FAILED, errors=[{"message": _("Interrupted.")}])
    try:
        with transaction.atomic():
            updated = ImportJob.objects.filter(
                pk=job.pk,
                status__in=[
                    ImportJob.Status.PENDING,
                    ImportJob.Status.PREVIEWED,
                    ImportJob.Status.FAILED,
                ],
            ).update(status=status, started_at=timezone.now(), finished_at=None)
    except IntegrityError:
        updated = 0
    if not updated:
        raise ImportBusyError(
            _("Another import of the same scope is running: wait until it has finished.")
        )
    job.status = status


def run_job(job_id: int, *, apply: bool) -> ImportJob:
    """Preview (`apply=False`) or apply an import job; returns it finished."""
    job = ImportJob.objects.select_related("tenant", "school", "created_by").get(pk=job_id)
    if job.created_by is None:
        raise ImportBusyError(_("The person who started this import no longer exists."))
    actor = build_actor(job.created_by, tenant=job.tenant)
    _lock(job, ImportJob.Status.APPLYING if apply else ImportJob.Status.PREVIEWING)
    errors: list[FeedError] = []
    spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def spool_line(line: dict[str, Any]) -> None:
        spool.write(json.dumps(line) + "\n")

    report = Report(sink=spool_line)
    progress = ParseProgress()
    key = PROGRESS_KEY.format(job.pk)

    def tick(phase: str = "people") -> None:
        cache.set(key, {"done": progress.done, "total": progress.total, "phase": phase}, 3600)

    committed = False
    fatal: FeedError | None = None
    try:
        year = current_year(job.tenant)
        if year is None:
            raise FeedError(_("No school year is open: open the current school year first."))
        with local_files(job) as paths:
            records = _parser(job)(paths, errors=errors, progress=progress)
            reconciler = Reconciler(
                actor=actor,
                year=year,
                source_name=job.format,
                complete=job.complete,
                covered=covered_profiles(job, paths),
                report=report,
                errors=errors,
                job=job,
                school=job.school,
                on_batch=tick,
                create_missing=job.format == ImportJob.Format.CSV,
            )
            try:
                with transaction.atomic():
                    reconciler.feed(records)
                    tick("links")
                    reconciler.finish()
                    stop = bool(blocking(errors)) and not (apply and job.skip_invalid)
                    if stop or not apply:
                        raise _RollbackError
                    record_audit(
                        actor=actor,
                        action="directory.import_applied",
                        target=job,
                        school=job.school,
                        data={"format": job.format, "summary": report.summary()},
                    )
                    committed = True
            except _RollbackError:
                pass
    except FeedError as exc:
        fatal = exc
    except Exception:
        logger.exception("import job %s crashed", job.pk)
        fatal = FeedError(_("The import stopped on an internal error; nothing was changed."))
        raise
    finally:
        cache.delete(key)
        _finish(job, report, errors, fatal, spool, apply=apply, committed=committed)
    return job


def discard_files(job: ImportJob) -> None:
    """Delete a job's stored files (they hold personal data): kept are their names and sizes."""
    for f in job.files:
        if f.get("path"):
            default_storage.delete(f["path"])
            f["path"] = ""
    job.save(update_fields=["files"])


def _finish(
    job: ImportJob,
    report: Report,
    errors: list[FeedError],
    fatal: FeedError | None,
    spool: IO[str],
    *,
    apply: bool,
    committed: bool,
) -> None:
    all_errors = ([fatal] if fatal else []) + errors
    with transaction.atomic():
        ImportChange.objects.filter(job=job).delete()
        spool.seek(0)
        stored = store_changes(job, (json.loads(line) for line in spool))
        spool.close()
        job.summary = {**report.summary(), "applied": committed, "stored": stored}
        job.errors = [e.as_dict() for e in all_errors[:ERRORS_KEPT]]
        job.summary["error_count"] = len(blocking(all_errors))
        job.summary["warning_count"] = len(all_errors) - job.summary["error_count"]
        if fatal is not None:
            job.status = ImportJob.Status.FAILED
        elif committed:
            job.status = ImportJob.Status.APPLIED
        else:
            job.status = ImportJob.Status.PREVIEWED
        job.finished_at = timezone.now()
        job.save(update_fields=["summary", "errors", "status", "finished_at"])
    if committed:
        discard_files(job)  # applied: the files have nothing more to give
