"""Timetable forms: shapes only; the actions check rights, clashes and the school."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.timetable.models import WEEKDAYS, LessonChange, Slot

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SlotForm(forms.Form):
    course = forms.TypedChoiceField(label=_("Course"), coerce=int)
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=WEEKDAYS)
    starts_at = forms.TimeField(label=_("Start"), widget=TIME)
    ends_at = forms.TimeField(label=_("End"), widget=TIME)
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)
    weeks = forms.ChoiceField(label=_("Weeks"), choices=Slot.Weeks.choices, required=False)

    def __init__(
        self, *args: Any, courses: list[tuple[int, str]], rooms: list[tuple[int, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        self.fields["course"].choices = courses  # type: ignore[attr-defined]
        self.fields["room"].choices = [("", _("No room")), *rooms]  # type: ignore[attr-defined]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("New room"), max_length=60)


class CalendarForm(forms.Form):
    week_a_monday = forms.DateField(
        label=_("A Monday of week A"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty if the school has no week A and week B."),
    )
    holidays_count = forms.BooleanField(
        label=_("Holiday weeks count in the A/B alternation"),
        required=False,
        help_text=_("Usually not: the week after the holidays follows the week before them."),
    )


class HolidayForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What changes"), choices=LessonChange.Kind.choices, widget=forms.RadioSelect
    )
    new_date = forms.DateField(label=_("New date"), required=False, widget=DATE)
    new_starts_at = forms.TimeField(label=_("New start"), required=False, widget=TIME)
    new_ends_at = forms.TimeField(label=_("New end"), required=False, widget=TIME)
    new_room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)
    substitute = forms.TypedChoiceField(
        label=_("Replacing teacher"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(label=_("Note for pupils and families"), max_length=200, required=False)

    def __init__(
        self, *args: Any, rooms: list[tuple[int, str]], teachers: list[tuple[int, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        self.fields["new_room"].choices = [("", _("Same room")), *rooms]  # type: ignore[attr-defined]
        self.fields["substitute"].choices = [("", "—"), *teachers]  # type: ignore[attr-defined]
