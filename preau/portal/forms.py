"""The profile form: preferences, contact details with who-can-see choices, avatar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Person
from preau.portal.actions import ADDRESS_MAX_LENGTH, PROFILE_FIELDS
from preau.portal.avatars import process_avatar
from preau.portal.models import Visibility, validate_phone


def _avatar_help() -> str:
    return str(
        _("PNG, JPEG or WebP, at most %(limit)s. It is cropped to a square.")
        % {"limit": filesizeformat(settings.PREAU_AVATAR_MAX_BYTES)}
    )


class ProfileForm(forms.Form):
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_visibility = forms.ChoiceField(
        label=_("Who can see my e-mail address"), choices=Visibility.choices
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    mobile = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    phone_visibility = forms.ChoiceField(
        label=_("Who can see my phone numbers and address"), choices=Visibility.choices
    )
    avatar = forms.FileField(
        label=_("New picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(person))
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["avatar"].help_text = _avatar_help()

    def _changed_value(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "")
        return value if value and value != getattr(self.person, name) else ""

    # A value kept as imported from the school's records is not checked again (the action does
    # the same): only what the person types must be valid.
    def clean_email(self) -> str:
        if value := self._changed_value("email"):
            validate_email(value)
        return self.cleaned_data["email"]

    def clean_phone(self) -> str:
        validate_phone(self._changed_value("phone"))
        return self.cleaned_data["phone"]

    def clean_mobile(self) -> str:
        validate_phone(self._changed_value("mobile"))
        return self.cleaned_data["mobile"]

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, str]:
        return {name: getattr(person, name) for name in PROFILE_FIELDS}

    def clean_avatar(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("avatar")
        if upload:
            process_avatar(upload)  # the same check the action runs; errors shown by the field
        return upload

    def profile_values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
