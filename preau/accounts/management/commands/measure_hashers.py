"""Measure the cost of one password hash per hasher on this machine (figures in docs/accounts.md).

    .venv/bin/python manage.py measure_hashers --rounds 20

Wall time is what one person waits; CPU time is what a login wave spends: N logins per second
cost N x CPU-time core-seconds each second.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    BasePasswordHasher,
    PBKDF2PasswordHasher,
    ScryptPasswordHasher,
)
from django.core.management.base import BaseCommand, CommandParser

from preau.accounts.hashers import PreauArgon2Hasher


def _argon2(name: str, memory_kib: int, passes: int) -> type[Argon2PasswordHasher]:
    """An argon2id profile from OWASP's table of equivalent minimum settings (p=1)."""
    return type(
        name,
        (Argon2PasswordHasher,),
        {"algorithm": "argon2", "memory_cost": memory_kib, "time_cost": passes, "parallelism": 1},
    )


@dataclass(frozen=True)
class Candidate:
    label: str
    hasher: type[BasePasswordHasher]


CANDIDATES = [
    Candidate("PBKDF2-SHA256, 1,000,000 iterations (Django 5.2 default)", PBKDF2PasswordHasher),
    Candidate("Argon2id m=100 MiB t=2 p=8 (Django 5.2 default)", Argon2PasswordHasher),
    Candidate("scrypt N=2^14 r=8 p=5 (Django 5.2 default)", ScryptPasswordHasher),
    Candidate("Argon2id m=19 MiB t=2 p=1 (PreauArgon2Hasher)", PreauArgon2Hasher),
    Candidate("Argon2id m=46 MiB t=1 p=1 (OWASP minimum)", _argon2("A46", 46 * 1024, 1)),
    Candidate("Argon2id m=12 MiB t=3 p=1 (OWASP minimum)", _argon2("A12", 12 * 1024, 3)),
    Candidate("Argon2id m=9 MiB t=4 p=1 (OWASP minimum)", _argon2("A9", 9 * 1024, 4)),
    Candidate("Argon2id m=7 MiB t=5 p=1 (OWASP minimum)", _argon2("A7", 7 * 1024, 5)),
]


class Command(BaseCommand):
    help = "Time one password hash per hasher (wall and CPU milliseconds, median and best)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=20, help="hashes per hasher")

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = max(1, int(options["rounds"]))
        password = "correct horse 42"  # noqa: S105 - a sample, never stored
        self.stdout.write(
            f"{'hasher':<58} {'wall median':>12} {'wall best':>10} {'CPU median':>11}"
            f" {'logins/s/core':>14}"
        )
        for candidate in CANDIDATES:
            hasher = candidate.hasher()
            salt = hasher.salt()
            hasher.encode(password, salt)  # warm up: load the library, touch the memory
            walls: list[float] = []
            cpus: list[float] = []
            for _ in range(rounds):
                wall0, cpu0 = time.perf_counter(), time.process_time()
                hasher.encode(password, salt)
                walls.append(time.perf_counter() - wall0)
                cpus.append(time.process_time() - cpu0)
            wall_ms = statistics.median(walls) * 1000
            cpu_ms = statistics.median(cpus) * 1000
            self.stdout.write(
                f"{candidate.label:<58} {wall_ms:>10.1f}ms {min(walls) * 1000:>8.1f}ms"
                f" {cpu_ms:>9.1f}ms {1000 / cpu_ms if cpu_ms else 0:>14.1f}"
            )
