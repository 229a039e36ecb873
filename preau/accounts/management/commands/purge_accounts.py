"""Daily housekeeping of the accounts tables: `manage.py purge_accounts`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from preau.accounts.actions import purge_stale_rows


class Command(BaseCommand):
    help = "Delete old failed logins, long-spent codes and the rows of ended sessions."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_stale_rows()
        self.stdout.write(
            f"Deleted {counts['login_attempts']} failed logins, {counts['codes']} codes, "
            f"{counts['sessions']} ended sessions."
        )
