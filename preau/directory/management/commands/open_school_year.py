"""`preau open_school_year <start_year> [--tenant slug]`: the yearly rollover.

    preau open_school_year 2027                 # opens 2027-2028 in the only tenant
    preau open_school_year 2027 --tenant lyon   # names the tenant when there are several

Runs as the tenant's first operator (like `preau import`), calls `actions.open_school_year`
and prints what it did: the year opened and its dates, the year that became an archive, and
how many school-administrator memberships were carried over. Then import the new year's feeds.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.core.models import Tenant
from preau.directory import actions
from preau.directory.models import Membership, Person
from preau.directory.queries import build_actor, current_year


class Command(BaseCommand):
    help = "Open a new school year and make it the current one (the yearly rollover)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start_year", type=int, help="the year it starts in: 2027 → 2027-2028")
        parser.add_argument("--tenant", help="tenant short name (default: the only one)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self._tenant(options["tenant"])
        operator = (
            Person.objects.filter(tenant=tenant, is_operator=True, is_blocked=False)
            .order_by("id")
            .first()
        )
        if operator is None:
            raise CommandError(f"{tenant} has no operator to open the school year as.")
        actor = build_actor(operator, tenant=tenant)
        previous = current_year(tenant)
        try:
            year = actions.open_school_year(actor=actor, start_year=options["start_year"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:  # not expected: the actor is an operator
            raise CommandError(f"{operator.login} may not open a school year.") from exc
        carried = Membership.objects.filter(tenant=tenant, year=year, is_school_admin=True).count()
        self.stdout.write(
            f"Opened the school year {year} in {tenant} "
            f"(from {year.starts_on:%d/%m/%Y} to {year.ends_on:%d/%m/%Y}), as {operator.login}."
        )
        if previous is not None:
            self.stdout.write(f"  {previous} is now an archive (read-only in the console).")
        self.stdout.write(
            f"  School-administrator memberships in {year}: {carried}. "
            "Import the new year's feeds to fill it."
        )

    def _tenant(self, slug: str | None) -> Tenant:
        tenants = Tenant.objects.filter(slug=slug) if slug else Tenant.objects.all()
        if tenants.count() != 1:
            raise CommandError("Name the tenant with --tenant <short name>.")
        return tenants.get()
