"""Login time windows per profile: the operator's way to spread a Monday-morning rush, as
French ENTs did in 2020 ("lycée pupils from 8:00 to 8:30 on Mondays", "guardians not before
9:00").

`PREAU_LOGIN_WINDOWS` is a JSON list of rules, read and checked once when the settings load
(a bad rule stops the process with a message naming it). A rule:

    {"profile": "pupil", "school_kinds": ["lycee"], "days": ["mon", "2026-03-16"],
     "from": "08:00", "until": "08:30"}

- `profile` (required): a profile code of `directory.Profile` (pupil, guardian, teacher, ...);
- `school_kinds` (optional): only memberships in schools of these kinds (`School.Kind`);
- `days` (optional, every day when absent): weekdays (`mon` … `sun`) or dates (`YYYY-MM-DD`);
- `from` and/or `until` (`HH:MM`, local time, at least one): on those days, logging in is
  open from `from` (inclusive) until `until` (exclusive) only.

A membership (profile in a school this year) is open when no rule applies to it today, or
when the time is inside every rule that does. A person may log in when they have no
restricted membership or when one of their memberships is open: a teacher who is also a
parent is never held back by the parents' window. Only logging in is checked: sessions
already open carry on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Kept here (not imported from directory.models): the settings read this module before the
# apps load. test_windows checks that they match the models' choices.
PROFILES = ("pupil", "guardian", "teacher", "staff", "agent", "guest")
SCHOOL_KINDS = ("ecole", "college", "lycee", "lp", "lycee_agricole", "erea")
KEYS = {"profile", "school_kinds", "days", "from", "until"}
# How far ahead the next opening is looked for (a week covers every weekday rule).
LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class Window:
    profile: str
    school_kinds: frozenset[str] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty with no dates: every day
    dates: frozenset[dt.date] = frozenset()
    start: dt.time = dt.time.min
    end: dt.time | None = None  # None: until midnight

    def applies(self, profile: str, school_kind: str, day: dt.date) -> bool:
        if profile != self.profile:
            return False
        if self.school_kinds and school_kind not in self.school_kinds:
            return False
        if not (self.weekdays or self.dates):
            return True
        return day.weekday() in self.weekdays or day in self.dates


def _error(index: int, what: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"PREAU_LOGIN_WINDOWS: rule {index + 1}: {what}")


def _time(index: int, key: str, value: object) -> dt.time:
    try:
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
            raise ValueError
        return dt.time(int(value[:2]), int(value[3:]))
    except ValueError:
        raise _error(index, f'"{key}" must be a time such as "08:30", not {value!r}') from None


def _strings(index: int, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _error(index, f'"{key}" must be a non-empty list of strings')
    return [v.strip().lower() for v in value]


def _rule(index: int, raw: object) -> Window:
    if not isinstance(raw, dict):
        raise _error(index, "must be an object")
    unknown = set(raw) - KEYS
    if unknown:
        raise _error(index, f"unknown keys {sorted(unknown)} (allowed: {sorted(KEYS)})")
    profile = raw.get("profile")
    if profile not in PROFILES:
        raise _error(index, f'"profile" must be one of {list(PROFILES)}, not {profile!r}')
    kinds = _strings(index, "school_kinds", raw["school_kinds"]) if "school_kinds" in raw else []
    wrong = [k for k in kinds if k not in SCHOOL_KINDS]
    if wrong:
        raise _error(index, f'"school_kinds": {wrong} unknown (allowed: {list(SCHOOL_KINDS)})')
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    for day in _strings(index, "days", raw["days"]) if "days" in raw else []:
        if day in WEEKDAYS:
            weekdays.add(WEEKDAYS.index(day))
            continue
        try:
            dates.add(dt.date.fromisoformat(day))
        except ValueError:
            raise _error(
                index,
                f'"days": {day!r} is neither a weekday ({", ".join(WEEKDAYS)}) nor a '
                "date such as 2026-03-16",
            ) from None
    if "from" not in raw and "until" not in raw:
        raise _error(index, 'give "from", "until" or both')
    start = _time(index, "from", raw["from"]) if "from" in raw else dt.time.min
    end = _time(index, "until", raw["until"]) if "until" in raw else None
    if end is not None and end <= start:
        raise _error(index, '"until" must come after "from"')
    return Window(
        profile=str(profile),
        school_kinds=frozenset(kinds),
        weekdays=frozenset(weekdays),
        dates=frozenset(dates),
        start=start,
        end=end,
    )


def parse_login_windows(text: str) -> tuple[Window, ...]:
    """The rules of `PREAU_LOGIN_WINDOWS` ("" or "[]": none); ImproperlyConfigured saying
    which rule is wrong and how."""
    if not text.strip():
        return ()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"PREAU_LOGIN_WINDOWS is not valid JSON: {exc}") from None
    if not isinstance(raw, list):
        raise ImproperlyConfigured("PREAU_LOGIN_WINDOWS must be a JSON list of rules")
    return tuple(_rule(i, rule) for i, rule in enumerate(raw))


def _opening(
    windows: Sequence[Window], profile: str, kind: str, now: dt.datetime
) -> dt.datetime | None:
    """The first moment from `now` (aware, local) when this membership may log in."""
    for offset in range(LOOKAHEAD_DAYS):
        day = now.date() + dt.timedelta(days=offset)
        rules = [w for w in windows if w.applies(profile, kind, day)]
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=now.tzinfo)
        start = max(
            (dt.datetime.combine(day, w.start, tzinfo=now.tzinfo) for w in rules), default=midnight
        )
        ends = [dt.datetime.combine(day, w.end, tzinfo=now.tzinfo) for w in rules if w.end]
        end = min(ends, default=midnight + dt.timedelta(days=1))
        moment = max(start, now)
        if moment < end:
            return moment
    return None


def next_login(
    windows: Sequence[Window], memberships: Iterable[tuple[str, str]], now: dt.datetime
) -> dt.datetime | None:
    """When a person holding `memberships` ((profile, school kind) pairs) may log in: `now`
    when they may at once, a later moment when they must wait, None when no opening comes
    within a week (rules that contradict each other every day)."""
    pairs = list(memberships)
    if not windows or not any(w.applies(p, k, now.date()) for w in windows for p, k in pairs):
        return now
    openings = [o for p, k in pairs if (o := _opening(windows, p, k, now)) is not None]
    return min(openings, default=None)
