"""Forms of the documents pages: they only parse; the actions hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.core.forms import MultipleFileField
from preau.documents.models import Right


class UploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]  # the field, not Form.files
        label=_("Files"),
        help_text=_("Choose one or several files (or drop them here)."),
        required=False,
    )


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=200)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ShareForm(forms.Form):
    right = forms.TypedChoiceField(
        label=_("Right"), choices=Right.choices, coerce=int, initial=Right.READ
    )
    audiences = forms.MultipleChoiceField(
        label=_("Classes, groups, schools"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, audience_choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["audiences"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = audience_choices


class PublicLinkForm(forms.Form):
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=7)
