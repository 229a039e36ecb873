"""Forms of the accounts pages: they check shapes; the actions check everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.accounts import codes


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "autocomplete": autocomplete,
            "autocapitalize": "none",
            "spellcheck": "false",
            **attrs,
        }
    )


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Login name or e-mail"),
        max_length=254,
        widget=_text("username", autofocus="autofocus"),
    )
    password = forms.CharField(
        label=_("Password"), max_length=4096, strip=False, widget=_password("current-password")
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeField(forms.CharField):
    """A code as printed (`ABCD-EFGH`), accepted in lower case, with or without the dash."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Code"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            _text("one-time-code", placeholder="ABCD-EFGH", inputmode="text"),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if codes.normalize_code(value) is None:
            raise forms.ValidationError(
                _("Type the 8 characters of the code, for example ABCD-EFGH."), code="format"
            )
        return str(value)


class NewPasswordMixin(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        max_length=4096,
        strip=False,
        widget=_password("new-password"),
        help_text=_(
            "At least 10 characters, not too common and not too close to your name. "
            "A few words strung together are easy to remember and hard to guess."
        ),
    )
    password_confirm = forms.CharField(
        label=_("New password again"),
        max_length=4096,
        strip=False,
        widget=_password("new-password"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are different."))
        return data


class ActivationForm(NewPasswordMixin):
    login = forms.CharField(
        label=_("Login name"),
        max_length=254,
        widget=_text("username", autofocus="autofocus"),
        help_text=_("As printed on the letter from your school."),
    )
    code = CodeField(
        label=_("Activation code"), help_text=_("Printed on the letter, e.g. ABCD-EFGH.")
    )
    accept_terms = forms.BooleanField(
        label=_("I have read and I accept the terms of use."),
        error_messages={"required": _("Accept the terms of use to continue.")},
    )

    field_order = ["login", "code", "password", "password_confirm", "accept_terms"]


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Login name or e-mail"),
        max_length=254,
        widget=_text("username", autofocus="autofocus"),
    )


class ResetConfirmForm(NewPasswordMixin):
    login = forms.CharField(
        label=_("Login name"), max_length=254, widget=_text("username", autofocus="autofocus")
    )
    code = CodeField(label=_("Code received by e-mail"))

    field_order = ["login", "code", "password", "password_confirm"]


class ApiTokenForm(forms.Form):
    label = forms.CharField(
        label=_("Token name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("What the token is for, for example the name of the script using it."),
    )
