"""Run a management command in this process and count its SQL: by statement shape, with time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/preau_bench \
        .venv/bin/python bench/count_queries.py import aaf var/bench/aaf/set --tenant bench

A diagnostic, not a measurement: each statement goes through a Django `execute_wrapper` that
times it, which costs a little. Prints the command's own output, then the statements grouped by
verb and table (joins listed), the most expensive first.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = {
    "SELECT": re.compile(r'\bFROM "(\w+)"'),
    "INSERT": re.compile(r'\bINTO "(\w+)"'),
    "UPDATE": re.compile(r'^UPDATE "(\w+)"'),
    "DELETE": re.compile(r'\bFROM "(\w+)"'),
}
JOIN = re.compile(r'\bJOIN "(\w+)"')


def shape(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    pattern = TABLE.get(verb)
    match = pattern.search(sql) if pattern else None
    joins = list(dict.fromkeys(JOIN.findall(sql)))
    return f"{verb} {match.group(1) if match else ''}" + (
        f" JOIN {', '.join(joins)}" if joins else ""
    )


class Counter:
    def __init__(self) -> None:
        self.count: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.slowest: dict[str, float] = defaultdict(float)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            key = shape(sql)
            self.count[key] += 1
            self.seconds[key] += spent
            self.slowest[key] = max(self.slowest[key], spent)

    def report(self, wall: float) -> list[str]:
        total = sum(self.seconds.values())
        lines = [
            f"{sum(self.count.values()):,} SQL statements, {total:,.1f} s in the database "
            f"driver of {wall:,.1f} s wall",
            "",
            "| statement | count | total s | mean ms | slowest ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for key in sorted(self.seconds, key=lambda k: -self.seconds[k])[:25]:
            n = self.count[key]
            lines.append(
                f"| {key} | {n:,} | {self.seconds[key]:,.1f} | "
                f"{1000 * self.seconds[key] / n:,.1f} | {1000 * self.slowest[key]:,.0f} |"
            )
        return lines


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    counter = Counter()
    started = time.perf_counter()
    code = 0
    with connection.execute_wrapper(counter):
        try:
            call_command(*argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    print("\n".join(counter.report(time.perf_counter() - started)))
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
