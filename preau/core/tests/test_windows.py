"""Login windows per profile: the operator's rules are checked at start with a clear error,
and the next opening is computed for people holding several profiles."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from preau.core.windows import PROFILES, SCHOOL_KINDS, next_login, parse_login_windows
from preau.directory.models import Profile, School

PARIS = ZoneInfo("Europe/Paris")
MONDAY = dt.date(2026, 3, 16)  # a Monday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def rules(*items: dict) -> tuple:
    return parse_login_windows(json.dumps(list(items)))


def test_the_codes_match_the_models():
    assert set(PROFILES) == set(Profile.values)
    assert set(SCHOOL_KINDS) == set(School.Kind.values)


def test_nothing_configured_means_no_window():
    assert parse_login_windows("") == ()
    assert parse_login_windows("[]") == ()
    assert next_login((), [("pupil", "lycee")], at(MONDAY, 8)) == at(MONDAY, 8)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"profile": "pupil"}', "must be a JSON list"),
        ('["pupil"]', "rule 1: must be an object"),
        ('[{"profile": "pupils", "from": "08:00"}]', '"profile" must be one of'),
        ('[{"profile": "pupil"}]', 'give "from", "until" or both'),
        ('[{"profile": "pupil", "from": "8h"}]', '"from" must be a time such as "08:30"'),
        ('[{"profile": "pupil", "until": "25:00"}]', '"until" must be a time'),
        ('[{"profile": "pupil", "from": "09:00", "until": "08:00"}]', "must come after"),
        ('[{"profile": "pupil", "from": "09:00", "days": ["lundi"]}]', "neither a weekday"),
        ('[{"profile": "pupil", "from": "09:00", "days": []}]', "non-empty list"),
        ('[{"profile": "pupil", "from": "09:00", "school_kinds": ["lyc"]}]', "unknown"),
        ('[{"profile": "pupil", "from": "09:00", "when": 1}]', "unknown keys ['when']"),
        ('[{"profile": "pupil", "from": "09:00"}, {"profile": "x"}]', "rule 2:"),
    ],
)
def test_a_wrong_rule_is_named_with_what_is_wrong(text, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_login_windows(text)
    assert message in str(error.value)
    assert "PREAU_LOGIN_WINDOWS" in str(error.value)


def test_the_settings_refuse_a_wrong_rule_at_start(monkeypatch):
    """Every process (web, worker, manage.py) stops at once with the message."""
    import subprocess
    import sys

    env = {"PREAU_LOGIN_WINDOWS": '[{"profile": "pupil", "from": "8h"}]', "PATH": "/usr/bin"}
    done = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert 'PREAU_LOGIN_WINDOWS: rule 1: "from" must be a time' in done.stderr


def test_lycee_pupils_only_from_8_to_8_30_on_the_chosen_days():
    windows = rules(
        {
            "profile": "pupil",
            "school_kinds": ["lycee"],
            "days": ["mon", "2026-03-19"],
            "from": "08:00",
            "until": "08:30",
        }
    )
    lycee = [("pupil", "lycee")]
    assert next_login(windows, lycee, at(MONDAY, 7, 45)) == at(MONDAY, 8)
    assert next_login(windows, lycee, at(MONDAY, 8, 10)) == at(MONDAY, 8, 10)
    # After the window, the next opening is Tuesday (no rule) at midnight.
    assert next_login(windows, lycee, at(MONDAY, 8, 30)) == at(MONDAY + dt.timedelta(1), 0)
    # Thursday 19 March is a chosen date; Wednesday is free.
    thursday = MONDAY + dt.timedelta(3)
    assert next_login(windows, lycee, at(thursday, 7)) == at(thursday, 8)
    assert next_login(windows, lycee, at(MONDAY + dt.timedelta(2), 7)) == at(
        MONDAY + dt.timedelta(2), 7
    )
    # Collège pupils and lycée teachers are not concerned.
    assert next_login(windows, [("pupil", "college")], at(MONDAY, 7)) == at(MONDAY, 7)
    assert next_login(windows, [("teacher", "lycee")], at(MONDAY, 7)) == at(MONDAY, 7)


def test_guardians_not_before_nine_every_day():
    windows = rules({"profile": "guardian", "from": "09:00"})
    assert next_login(windows, [("guardian", "college")], at(MONDAY, 8, 59)) == at(MONDAY, 9)
    assert next_login(windows, [("guardian", "college")], at(MONDAY, 23)) == at(MONDAY, 23)


def test_one_open_profile_is_enough():
    """A teacher who is also a parent is not held back by the parents' window."""
    windows = rules({"profile": "guardian", "from": "09:00"})
    both = [("guardian", "college"), ("teacher", "lycee")]
    assert next_login(windows, both, at(MONDAY, 8)) == at(MONDAY, 8)


def test_rules_on_one_profile_add_up():
    windows = rules(
        {"profile": "pupil", "from": "08:00", "until": "12:00"},
        {"profile": "pupil", "days": ["mon"], "from": "10:00"},
    )
    assert next_login(windows, [("pupil", "ecole")], at(MONDAY, 8)) == at(MONDAY, 10)
    tuesday = MONDAY + dt.timedelta(1)
    assert next_login(windows, [("pupil", "ecole")], at(tuesday, 7)) == at(tuesday, 8)


def test_contradicting_rules_every_day_give_no_opening():
    windows = rules(
        {"profile": "pupil", "from": "08:00", "until": "09:00"},
        {"profile": "pupil", "from": "10:00"},
    )
    assert next_login(windows, [("pupil", "ecole")], at(MONDAY, 7)) is None
