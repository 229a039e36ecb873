"""`preau import <format> <files or folder>`: preview, then apply, a directory feed.

    preau import aaf var/aaf/                      # an AAF set (complete or delta), operator
    preau import siecle --school 0693331X *.xml    # SIECLE exports of one school
    preau import sts --school 0693331X sts_emp_0693331X_2026.xml
    preau import csv --school 0693331X --profile pupil eleves.csv [--skip-invalid]

`--dry-run` previews: it computes and prints every change and writes nothing. Without it the
command applies in one run (for unattended weekly imports): an error anywhere applies nothing,
and the job's report is the same as a preview's. The job runs in this process (not through the
queue); the command exits with 1 when the import has errors and nothing was applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.core.models import Tenant
from preau.directory import actions
from preau.directory.feeds.run import run_job
from preau.directory.models import ImportJob, Person, School
from preau.directory.queries import build_actor

SUFFIXES = {"aaf": ".xml", "siecle": ".xml", "sts": ".xml", "csv": ".csv"}


class Command(BaseCommand):
    help = "Import a directory feed (AAF, SIECLE, STS-Web, CSV): preview, then apply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=sorted(SUFFIXES))
        parser.add_argument("paths", nargs="+", help="files, or folders holding them")
        parser.add_argument("--tenant", help="tenant short name (default: the only one)")
        parser.add_argument("--as", dest="login", help="login of the administrator importing")
        parser.add_argument("--school", help="UAI of the school (SIECLE, STS-Web, CSV)")
        parser.add_argument("--profile", default="", help="CSV: pupil, guardian, teacher, staff")
        parser.add_argument("--delta", action="store_true", help="AAF deltas: do not reconcile")
        parser.add_argument("--dry-run", action="store_true", help="preview: write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="CSV: apply valid lines")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self._tenant(options["tenant"])
        person = self._person(tenant, options["login"])
        actor = build_actor(person, tenant=tenant)
        school = None
        if options["school"]:
            school = School.objects.filter(tenant=tenant, uai=options["school"].upper()).first()
            if school is None:
                raise CommandError(f"No school with the UAI {options['school']} in {tenant}.")
        paths = self._paths(options["paths"], SUFFIXES[options["format"]])
        handles = [p.open("rb") for p in paths]
        try:
            job = actions.start_import(
                actor=actor,
                format=options["format"],
                files=[(p.name, h) for p, h in zip(paths, handles, strict=True)],
                school=school,
                complete=not options["delta"],
                profile=options["profile"],
                queue=False,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        finally:
            for h in handles:
                h.close()
        if options["dry_run"]:
            job = run_job(job.pk, apply=False)
            self._print(job, "Preview")
            if job.summary.get("error_count") or job.status == ImportJob.Status.FAILED:
                raise SystemExit(1)
            return
        # Unattended (a weekly cron): one run that applies, or applies nothing on an error,
        # and reports exactly what a preview would have shown.
        job.skip_invalid = options["skip_invalid"]
        job.save(update_fields=["skip_invalid"])
        job = run_job(job.pk, apply=True)
        self._print(job, "Import")
        if job.status != ImportJob.Status.APPLIED:
            raise SystemExit(1)
        if job.summary.get("total", 0) == 0:
            self.stdout.write("No change: the directory already matches these files.")

    def _tenant(self, slug: str | None) -> Tenant:
        tenants = Tenant.objects.filter(slug=slug) if slug else Tenant.objects.all()
        if tenants.count() != 1:
            raise CommandError("Name the tenant with --tenant <short name>.")
        return tenants.get()

    def _person(self, tenant: Tenant, login: str | None) -> Person:
        people = Person.objects.filter(tenant=tenant)
        person = (
            people.filter(login=login).first()
            if login
            else people.filter(is_operator=True).order_by("id").first()
        )
        if person is None:
            raise CommandError("Name the administrator importing with --as <login>.")
        return person

    def _paths(self, given: list[str], suffix: str) -> list[Path]:
        out: list[Path] = []
        for name in given:
            path = Path(name)
            if path.is_dir():
                out.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == suffix))
            elif path.is_file():
                out.append(path)
            else:
                raise CommandError(f"{name}: no such file or folder.")
        if not out:
            raise CommandError("No file to import.")
        return out

    def _print(self, job: ImportJob, label: str) -> None:
        summary = job.summary
        self.stdout.write(f"{label} of {job} — {job.get_status_display()}")
        for kind, counts in summary.get("changes", {}).items():
            line = ", ".join(f"{action} {n}" for action, n in sorted(counts.items()))
            self.stdout.write(f"  {kind}: {line}")
        if summary.get("seen"):
            seen = ", ".join(f"{k} {n}" for k, n in sorted(summary["seen"].items()))
            self.stdout.write(f"  read: {seen}")
        for error in job.errors[:50]:
            where = error["file"] + (f":{error['line']}" if error.get("line") else "")
            self.stderr.write(f"  error {where}: {error['message']}")
        if summary.get("error_count", 0) > 50:
            self.stderr.write(f"  … {summary['error_count'] - 50} more errors")
