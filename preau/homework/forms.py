"""Notebook forms: shapes only; the actions check who writes and the dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def rich(rows: int, hidden: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "data-rich-editor": hidden, "class": "math"})


class LessonForm(forms.Form):
    """A lesson's content and, optionally, the homework set that day."""

    date = forms.DateField(label=_("Date of the lesson"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=rich(8, "content_html"),
        help_text=_("Mathematics between dollars: $x^2 + 1$, or $$\\frac{a}{b}$$ on its own line."),
    )
    content_html = forms.CharField(required=False, widget=forms.HiddenInput)
    homework = forms.CharField(
        label=_("Homework"),
        required=False,
        widget=rich(4, "homework_html"),
        help_text=_("Leave empty if there is no homework."),
    )
    homework_html = forms.CharField(required=False, widget=forms.HiddenInput)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    estimated_minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"), required=False, min_value=0, max_value=600
    )
    publish_at = forms.DateTimeField(
        label=_("Show it from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: at once. Prepared in advance, it appears at that moment."),
    )
    hand_in_until = forms.DateTimeField(
        label=_("Hand in online before"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: no online hand-in."),
    )

    def clean(self) -> dict[str, Any]:
        """Each text as HTML: the editor's, else the plain text as paragraphs."""
        from django.utils.html import escape, linebreaks

        super().clean()
        data = self.cleaned_data
        for field in ("content", "homework"):
            rich_html = (data.get(f"{field}_html") or "").strip()
            data[field] = rich_html or (linebreaks(escape(data[field])) if data.get(field) else "")
        if data.get("homework") and not data.get("due_on"):
            self.add_error("due_on", _("Give the date the homework is due."))
        return data


class CopyForm(forms.Form):
    course = forms.TypedChoiceField(label=_("To the course"), coerce=int)
    date = forms.DateField(label=_("Date of the lesson"), widget=DATE)

    def __init__(self, *args: Any, courses: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["course"].choices = courses  # type: ignore[attr-defined]


class VisaForm(forms.Form):
    note = forms.CharField(label=_("Remark (optional)"), max_length=500, required=False)


class HandInForm(forms.Form):
    file = forms.FileField(label=_("Your work"))
