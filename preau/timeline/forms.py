"""The preferences form: per group of notifications, a delivery mode and a push switch."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.timeline.models import Group, Mode
from preau.timeline.queries import EMAIL_MODES, Choice


class ModeSelect(forms.RadioSelect):
    """Radio buttons whose e-mail options can be shown disabled (pupils without e-mail)."""

    def __init__(self, *args: Any, disabled_values: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values = disabled_values

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, current: dict[Group, Choice], email_ok: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        disabled = () if email_ok else tuple(str(m) for m in EMAIL_MODES)
        for group in Group:
            self.fields[f"{group}_mode"] = forms.ChoiceField(
                label=group.label,
                choices=Mode.choices,
                widget=ModeSelect(disabled_values=disabled),
                initial=current[group].mode,
            )
            self.fields[f"{group}_push"] = forms.BooleanField(
                label=_("Also as a notification on my devices (web push)"),
                required=False,
                initial=current[group].push,
            )

    def groups(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{g}_mode"], self[f"{g}_push"]) for g in Group]

    def choices(self) -> dict[Group, tuple[Mode, bool]]:
        return {
            g: (Mode(self.cleaned_data[f"{g}_mode"]), bool(self.cleaned_data[f"{g}_push"]))
            for g in Group
        }
