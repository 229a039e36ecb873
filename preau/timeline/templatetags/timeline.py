"""Dates as French readers expect them: relative when recent, absolute otherwise."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def relative_date(value: dt.datetime, now: dt.datetime | None = None) -> str:
    """ "à l'instant", "il y a 5 min", "il y a 3 h", "hier à 14:05", "3 décembre à 14:05",
    "3 décembre 2025" (in the active language)."""
    now = timezone.localtime(now or timezone.now())
    local = timezone.localtime(value)
    seconds = (now - local).total_seconds()
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    if local.date() == now.date():
        hours = int(seconds // 3600)
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    time = date_format(local, "H:i")
    if local.date() == now.date() - dt.timedelta(days=1):
        return _("yesterday at %(time)s") % {"time": time}
    if local.year == now.year:
        return _("%(date)s at %(time)s") % {"date": date_format(local, "j F"), "time": time}
    return date_format(local, "j F Y")


@register.simple_tag
def when(value: dt.datetime) -> SafeString:
    """A <time> element: the relative date, the full date and time as its title."""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        date_format(local, "l j F Y, H:i"),
        relative_date(value),
    )


@register.filter
def app_label(kind: str) -> str:
    """The label of the app a notification kind belongs to ("news.published": "News")."""
    from preau.timeline.queries import APP_LABELS, app_of

    return str(APP_LABELS.get(app_of(kind), _("Other")))
