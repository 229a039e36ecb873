"""`preau erase_expired_people [--today YYYY-MM-DD] [--tenant slug]`: the retention job.

Erases, in every tenant (or the one named), the people whose deletion day has come
(`actions.erase_expired_people`, see `preau/directory/retention.py`) and prints how many were
erased. Must run daily: from cron, or let Celery beat run
`preau.directory.tasks.erase_expired_people_task`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.core.models import Tenant
from preau.directory.actions import erase_expired_people


class Command(BaseCommand):
    help = "Erase the people whose deletion day has come (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="erase as if today were YYYY-MM-DD (default: today)")
        parser.add_argument("--tenant", help="tenant short name (default: every tenant)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today {options['today']}: expected YYYY-MM-DD.") from exc
        tenants = Tenant.objects.order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with the short name {options['tenant']}.")
        total = 0
        for tenant in tenants:
            erased = erase_expired_people(tenant=tenant, today=today)
            total += erased
            self.stdout.write(f"{tenant.slug}: {erased} erased")
        self.stdout.write(f"Erased in all: {total}.")
