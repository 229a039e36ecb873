"""Create the benchmark's tenant in an empty, migrated database: an operator, a current year.

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python bench/setup_tenant.py --slug bench

The tenant's options switch on level-2 guardians (`import_guardian_level2`), so the AAF set's
persons in charge are linked too. Refuses to run when the slug is taken: the benchmark starts
from a fresh database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--year", type=int, default=2026, help="start of the current school year")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    from preau.core.models import Tenant
    from preau.core.sanitize import fold
    from preau.directory.models import Person, SchoolYear

    if Tenant.objects.filter(slug=args.slug).exists():
        print(f"The tenant {args.slug} already exists: start from a fresh database.")
        return 1
    with transaction.atomic():
        tenant = Tenant.objects.create(
            name="Banc d'essai AAF",
            slug=args.slug,
            options={"import_guardian_level2": True},
        )
        SchoolYear.objects.create(
            tenant=tenant,
            start_year=args.year,
            starts_on=dt.date(args.year, 9, 1),
            ends_on=dt.date(args.year + 1, 7, 4),
            is_current=True,
        )
        operator = Person(
            tenant=tenant,
            login="operateur.banc",
            first_name="Opérateur",
            last_name="Banc",
            search_name=fold("Banc Opérateur"),
            is_operator=True,
        )
        operator.set_unusable_password()
        operator.save()
    print(f"tenant {tenant.slug} (id {tenant.pk}), operator {operator.login}, year {args.year}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
