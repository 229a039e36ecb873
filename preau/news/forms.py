"""The news forms: they check shapes; the actions check who may address whom."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.core.forms import MultipleFileField
from preau.news.actions import BODY_MAX, COMMENT_MAX, REASON_MAX, TITLE_MAX


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12, "data-rich-editor": "body_html"}),
        help_text=_(
            "HTML is accepted: paragraphs <p>, <strong>, <em>, lists, links, headings. "
            "Scripts and styles are removed."
        ),
    )
    # What the rich-text editor wrote (core/editor.js); without JavaScript, `body` (HTML).
    body_html = forms.CharField(required=False, max_length=BODY_MAX, widget=forms.HiddenInput)
    targets = forms.MultipleChoiceField(
        label=_("For whom"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the audiences you may address are offered."),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty to publish as soon as it is published or validated."),
    )
    expires_at = forms.DateTimeField(
        label=_("Hide after"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty to keep it until it is withdrawn."),
    )
    is_urgent = forms.BooleanField(
        label=_("Urgent: show a banner at the top of every page until it is closed"),
        required=False,
    )
    allow_comments = forms.BooleanField(label=_("Allow comments"), required=False)
    images = MultipleFileField(
        label=_("Pictures"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, shown in the news."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("Up to 10 files of 10 MB each.")
    )
    # Files of the author's workspace (documents.queries.recent_documents): a copy of each goes
    # with the news as an attachment (documents.queries.workspace_uploads).
    documents = forms.TypedMultipleChoiceField(
        label=_("Attach from my documents"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A copy of each file chosen is attached to the news."),
    )

    def clean(self) -> dict[str, Any]:
        """The editor's HTML when it wrote some, else the textarea's (both sanitised later)."""
        super().clean()
        data = self.cleaned_data
        rich = (data.get("body_html") or "").strip()
        if rich:
            data["body"] = rich
        return data

    def __init__(
        self,
        *args: Any,
        target_choices: list[tuple[str, Any]],
        document_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        documents = self.fields["documents"]
        assert isinstance(documents, forms.TypedMultipleChoiceField)
        documents.choices = document_choices or []
        field = self.fields["targets"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = target_choices


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the author reads it)"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    teachers_need_validation = forms.BooleanField(
        label=_("Teachers' news are validated by the management"), required=False
    )
    staff_need_validation = forms.BooleanField(
        label=_("Other staff's news are validated by the management"), required=False
    )
