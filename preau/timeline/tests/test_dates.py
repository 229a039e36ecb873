"""Dates in the feed: relative when recent, French absolute dates otherwise."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from preau.timeline.templatetags.timeline import relative_date, when

NOW = timezone.make_aware(dt.datetime(2026, 12, 2, 15, 0))


def test_relative_then_absolute_dates():
    with translation.override("en"):
        assert relative_date(NOW - dt.timedelta(seconds=20), NOW) == "just now"
        assert relative_date(NOW - dt.timedelta(minutes=5), NOW) == "5 minutes ago"
        assert relative_date(NOW - dt.timedelta(minutes=1), NOW) == "1 minute ago"
        assert relative_date(NOW - dt.timedelta(hours=3), NOW) == "3 hours ago"
        yesterday = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 5))
        assert relative_date(yesterday, NOW) == "yesterday at 14:05"
        earlier = timezone.make_aware(dt.datetime(2026, 11, 3, 9, 30))
        assert relative_date(earlier, NOW) == "3 November at 09:30"
    with translation.override("fr"):
        last_year = timezone.make_aware(dt.datetime(2025, 12, 3, 9, 30))
        assert relative_date(last_year, NOW) == "3 décembre 2025"


def test_the_time_element_carries_the_full_date():
    with translation.override("fr"):
        html = when(timezone.make_aware(dt.datetime(2025, 12, 3, 9, 30)))
    assert html.startswith('<time datetime="2025-12-03T09:30:00+01:00"')
    assert 'title="mercredi 3 décembre 2025, 09:30"' in html
