"""Forms of the federation pages: they check shapes; the actions check everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Authority
from preau.sso.saml.models import IdentityProvider

MAX_METADATA_BYTES = 1024 * 1024


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityProvider.Kind.choices)
    label = forms.CharField(
        label=_("Label on the login page"),
        max_length=120,
        help_text=_("The words on the login button, e.g. “Log in with EduConnect”."),
    )
    academie = forms.ModelChoiceField(
        label=_("Académie"),
        queryset=Authority.objects.none(),
        required=False,
        help_text=_("Required for an agents' identity provider: its académie's name is shown."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=1000,
        initial=0,
        help_text=_("Smaller numbers come first on the login page."),
    )
    metadata_xml = forms.CharField(
        label=_("Metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        help_text=_("Paste the identity provider's SAML2 metadata, or upload the file below."),
    )
    metadata_file = forms.FileField(label=_("Or upload the metadata file"), required=False)
    is_enabled = forms.BooleanField(
        label=_("Offer it on the login page now"), required=False, initial=False
    )

    def __init__(
        self, *args: Any, academies: QuerySet[Authority], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["academie"].queryset = academies  # type: ignore[attr-defined]
        if editing:
            del self.fields["is_enabled"]
            self.fields["metadata_xml"].help_text = _(
                "Leave empty to keep the current metadata; paste new metadata when the "
                "provider renews its certificate."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("metadata_file")
        if upload is not None:
            if upload.size > MAX_METADATA_BYTES:
                self.add_error("metadata_file", _("This file is larger than 1 MiB."))
                return data
            try:
                data["metadata_xml"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("metadata_file", _("This file is not UTF-8 text."))
                return data
        if not self.editing and not (data.get("metadata_xml") or "").strip():
            self.add_error("metadata_xml", _("Paste or upload the provider's metadata XML."))
        return data


class LinkForm(forms.Form):
    identifier = forms.CharField(
        label=_("Your Préau login name or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Your Préau password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
