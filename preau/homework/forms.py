"""Notebook forms: shapes only; the actions check who writes and the dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from preau.core.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def rich(rows: int, hidden: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "data-rich-editor": hidden, "class": "math"})


def _documents(label: Any) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A copy of each file chosen is attached."),
    )


class LessonForm(forms.Form):
    """A lesson's content and files and, optionally, the homework set that day with its files.
    On a lesson's edit page: the files to remove, and the homework already set to add files to."""

    date = forms.DateField(label=_("Date of the lesson"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=rich(8, "content_html"),
        help_text=_("Mathematics between dollars: $x^2 + 1$, or $$\\frac{a}{b}$$ on its own line."),
    )
    content_html = forms.CharField(required=False, widget=forms.HiddenInput)
    lesson_files = MultipleFileField(label=_("Files of the lesson"), required=False)
    lesson_documents = _documents(_("Attach from my documents"))
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
    homework_files = MultipleFileField(label=_("Files for the homework"), required=False)
    homework_documents = _documents(_("Attach from my documents"))
    files_for = forms.TypedChoiceField(
        label=_("These files go with"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    remove = forms.TypedMultipleChoiceField(
        label=_("Files attached"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the files to remove, then save."),
    )

    def __init__(
        self,
        *args: Any,
        document_choices: list[tuple[int, str]] | None = None,
        homework_choices: list[tuple[int, str]] | None = None,
        attachment_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limits = _("Up to %(count)d files of %(size)s each.") % {
            "count": settings.PREAU_ATTACHMENTS_MAX,
            "size": filesizeformat(settings.PREAU_ATTACHMENT_MAX_BYTES),
        }
        self.fields["lesson_files"].help_text = limits
        self.fields["homework_files"].help_text = limits
        for name in ("lesson_documents", "homework_documents"):
            self.fields[name].choices = document_choices or []  # type: ignore[attr-defined]
        if homework_choices:
            self.fields["files_for"].choices = [  # type: ignore[attr-defined]
                ("", _("The new homework written above")),
                *homework_choices,
            ]
        else:
            del self.fields["files_for"]
        if attachment_choices:
            self.fields["remove"].choices = attachment_choices  # type: ignore[attr-defined]
        else:
            del self.fields["remove"]

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
