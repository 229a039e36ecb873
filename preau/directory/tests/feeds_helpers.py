"""Shared helpers of the feed tests: run an import as someone, count the directory's rows."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from preau.directory import actions
from preau.directory import models as m
from preau.directory.feeds.run import run_job
from preau.directory.queries import build_actor

FIXTURES = Path(__file__).parent / "fixtures"
COUNTED = (
    m.School,
    m.Subject,
    m.Level,
    m.SchoolClass,
    m.Group,
    m.Person,
    m.Membership,
    m.GroupMember,
    m.TeachingAssignment,
    m.GuardianLink,
    m.DuplicateCandidate,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def directory_state() -> dict[str, Any]:
    """Every directory row's content (not its id): equal states mean nothing changed."""
    return {
        "people": sorted(
            m.Person.objects.values_list(
                "external_id", "first_name", "last_name", "email", "is_blocked", "deletion_due_on"
            )
        ),
        "memberships": sorted(
            m.Membership.objects.values_list(
                "person__external_id", "school__uai", "profile", "school_class__code", "functions"
            ),
            key=str,
        ),
        "groups": sorted(m.GroupMember.objects.values_list("person__external_id", "group__code")),
        "assignments": sorted(
            m.TeachingAssignment.objects.values_list(
                "teacher__external_id",
                "school_class__code",
                "group__code",
                "subject__code",
                "is_main",
            ),
            key=str,
        ),
        "links": sorted(
            m.GuardianLink.objects.values_list(
                "pupil__external_id", "guardian__external_id", "level"
            )
        ),
    }


def copy_set(name: str, target: Path) -> Path:
    """A writable copy of a fixture folder (tests edit it to make variants)."""
    shutil.copytree(FIXTURES / name, target, dirs_exist_ok=True)
    return target


def run_import(
    person: Any,
    fmt: str,
    paths: list[Path],
    *,
    apply: bool = True,
    school: Any = None,
    complete: bool = True,
    profile: str = "",
    skip_invalid: bool = False,
) -> m.ImportJob:
    """Start, preview and (when `apply`) apply an import as `person`, in this process."""
    actor = build_actor(person, tenant=person.tenant)
    handles = [p.open("rb") for p in paths]
    try:
        job = actions.start_import(
            actor=actor,
            format=fmt,
            files=[(p.name, h) for p, h in zip(paths, handles, strict=True)],
            school=school,
            complete=complete,
            profile=profile,
            queue=False,
        )
    finally:
        for h in handles:
            h.close()
    job = run_job(job.pk, apply=False)
    if (
        apply
        and job.status == m.ImportJob.Status.PREVIEWED
        and (skip_invalid or not job.summary.get("error_count"))
    ):
        actions.apply_import(actor=actor, job=job, skip_invalid=skip_invalid, queue=False)
        job = run_job(job.pk, apply=True)
    return job
