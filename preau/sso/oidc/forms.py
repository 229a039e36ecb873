"""The console's client form: it parses what was typed; the actions check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.sso.oidc.scopes import ALL_SCOPES, LABELS, Scope


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("As people will see it."))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the consent screen: what the application does."),
    )
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_(
            "One per line, in full. https is required, except on 127.0.0.1, [::1] or localhost."
        ),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=[
            ("confidential", _("Confidential: a server that keeps a secret")),
            ("public", _("Public: a mobile or browser app, without a secret (PKCE only)")),
        ],
        initial="confidential",
        widget=forms.RadioSelect,
    )
    is_first_party = forms.BooleanField(
        label=_("First-party application (no consent screen)"),
        required=False,
        help_text=_("Only for the territory's own applications, such as its mobile app."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Allowed scopes"),
        choices=[(s, LABELS[s]) for s in ALL_SCOPES],
        initial=[Scope.OPENID.value, Scope.PROFILE.value],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The type of a registered client never changes.
            del self.fields["client_type"]
