"""The compose form: it checks shapes; the actions check who may write to whom."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _

from preau.core.forms import MultipleFileField
from preau.messaging.actions import INLINE_IMAGE_MAX_BYTES, SUBJECT_MAX


class ComposeForm(forms.Form):
    to = forms.TypedMultipleChoiceField(
        required=False, coerce=int, widget=forms.MultipleHiddenInput, choices=()
    )
    audiences = forms.MultipleChoiceField(
        label=_("Groups of people"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The classes, groups and schools you may write to."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "data-rich-editor": "body_html",
                "data-image-max": INLINE_IMAGE_MAX_BYTES,
            }
        ),
        max_length=100_000,
    )
    # What the rich-text editor wrote (preau/core/static/core/editor.js); without JavaScript it
    # stays empty and the plain text of `body` is used.
    body_html = forms.CharField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 10 files of 10 MB each."),
    )
    documents = forms.TypedMultipleChoiceField(
        label=_("From my documents"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A copy of each file chosen goes with the message."),
    )
    draft = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    forward = forms.IntegerField(required=False, widget=forms.HiddenInput)
    broadcast = forms.BooleanField(
        label=_("No-reply broadcast from the school"),
        required=False,
        help_text=_("Recipients can answer you, but not write to everyone who received it."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        """The body as HTML: the editor's, else the plain text as paragraphs (the action
        sanitises and limits whatever it gets)."""
        super().clean()
        data = self.cleaned_data
        rich = (data.get("body_html") or "").strip()
        data["body"] = rich or linebreaks(escape(data.get("body") or ""))
        return data

    def __init__(
        self,
        *args: Any,
        audience_choices: list[tuple[str, str]],
        document_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = document_choices or []  # type: ignore[attr-defined]
        audiences = self.fields["audiences"]
        assert isinstance(audiences, forms.MultipleChoiceField)
        audiences.choices = audience_choices
        # Any id may be posted: the action checks each against the communication rules.
        self.fields["to"].valid_value = lambda value: True  # type: ignore[attr-defined]


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=60)
