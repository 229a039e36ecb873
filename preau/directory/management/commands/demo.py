"""`preau demo`: seed the demo territory (idempotent) and print one login per profile."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.directory.demo import DEMO_SEED, DemoError, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the demo territory (one tenant, four schools, about 1,000 pupils) unless it is "
        "already there, then print one login per profile with the demo password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Random seed of a first seeding."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed_demo(stdout=self.stdout, seed=options["seed"])
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
