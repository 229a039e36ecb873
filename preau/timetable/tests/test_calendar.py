"""Weeks A and B, holidays, and the lessons of a week, without the database's help."""

from __future__ import annotations

import datetime as dt

import pytest

from preau.timetable.calendar import is_holiday_week, monday_of, parse_week, week_letter
from preau.timetable.models import Holiday, SchoolCalendar

D = dt.date


def calendar(week_a: dt.date | None, holidays_count: bool = False) -> SchoolCalendar:
    return SchoolCalendar(week_a_monday=week_a, holidays_count=holidays_count)


ONE_WEEK_OFF = [Holiday(name="Toussaint", starts_on=D(2026, 10, 17), ends_on=D(2026, 10, 25))]


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (D(2026, 9, 7), "A"),
        (D(2026, 9, 14), "B"),
        (D(2026, 10, 12), "B"),
        (D(2026, 10, 19), ""),  # the holidays: no letter
        (D(2026, 10, 26), "A"),  # the week after follows the week before
        (D(2026, 11, 2), "B"),
        (D(2026, 8, 31), "B"),  # before the reference week, backwards
    ],
)
def test_holiday_weeks_do_not_count_by_default(monday, expected):
    assert week_letter(monday, calendar(D(2026, 9, 7)), ONE_WEEK_OFF) == expected


def test_holiday_weeks_count_when_the_school_says_so():
    cal = calendar(D(2026, 9, 7), holidays_count=True)
    assert week_letter(D(2026, 10, 19), cal, ONE_WEEK_OFF) == "A"  # seventh week from 7 Sept
    assert week_letter(D(2026, 10, 26), cal, ONE_WEEK_OFF) == "B"
    assert week_letter(D(2026, 11, 2), cal, ONE_WEEK_OFF) == "A"


def test_no_alternation_without_a_reference_monday():
    assert week_letter(D(2026, 9, 7), None, []) == ""
    assert week_letter(D(2026, 9, 7), calendar(None), []) == ""


def test_a_week_is_a_holiday_week_when_monday_to_friday_are_off():
    assert is_holiday_week(D(2026, 10, 19), ONE_WEEK_OFF)
    assert not is_holiday_week(D(2026, 10, 12), ONE_WEEK_OFF)
    friday_only = [Holiday(name="Pont", starts_on=D(2026, 11, 13), ends_on=D(2026, 11, 13))]
    assert not is_holiday_week(D(2026, 11, 9), friday_only)


def test_weeks_are_named_by_their_monday():
    assert monday_of(D(2026, 12, 2)) == D(2026, 11, 30)
    assert parse_week("2026-12-04", today=D(2027, 1, 1)) == D(2026, 11, 30)
    assert parse_week("nonsense", today=D(2026, 12, 2)) == D(2026, 11, 30)
    assert parse_week(None, today=D(2026, 12, 6)) == D(2026, 11, 30)
