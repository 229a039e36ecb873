"""Forms of the documents pages: they only parse; the actions hold the rules."""

from __future__ import annotations

from decimal import Decimal
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


UNITS = {"MiB": 1024**2, "GiB": 1024**3}
UNIT_CHOICES = [("MiB", _("MiB")), ("GiB", _("GiB"))]


def in_unit(value: int) -> tuple[Decimal, str]:
    """Bytes shown in the largest unit that keeps them readable (GiB from 1 GiB up)."""
    unit = "GiB" if value >= UNITS["GiB"] else "MiB"
    amount = (Decimal(value) / UNITS[unit]).quantize(Decimal("0.01"))
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1)), unit
    return amount.normalize(), unit  # 1.5, not 1.50 (never an exponent: not integral)


class SchoolQuotaForm(forms.Form):
    """One quota per profile, as an amount and a unit (MiB or GiB); an empty amount keeps the
    tenant's quota. The action checks the range."""

    def __init__(self, *args: Any, profiles: list[tuple[str, str, str]], **kw: Any) -> None:
        """`profiles`: (code, label, what applies without the school's value)."""
        super().__init__(*args, **kw)
        self.profiles = profiles
        for code, label, default in profiles:
            self.fields[f"quota_{code}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal(0),
                max_digits=9,
                decimal_places=2,
                localize=True,
                help_text=_("Empty: %(default)s (the territory's quota).") % {"default": default},
            )
            self.fields[f"unit_{code}"] = forms.ChoiceField(
                label=_("Unit"), choices=UNIT_CHOICES, initial="GiB", required=False
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"quota_{code}"], self[f"unit_{code}"]) for code, _l, _d in self.profiles]

    def quotas(self) -> dict[str, int | None]:
        """The quotas typed, in bytes (None: the territory's)."""
        out: dict[str, int | None] = {}
        for code, _label, _default in self.profiles:
            amount = self.cleaned_data.get(f"quota_{code}")
            unit = self.cleaned_data.get(f"unit_{code}") or "GiB"
            out[code] = None if amount is None else int(amount * UNITS[unit])
        return out
