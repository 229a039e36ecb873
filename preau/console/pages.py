"""What every console page shares, whichever app serves it (the console's own pages, the OIDC
clients, the identity providers): breadcrumbs from the console's index, and an action's
ValidationError put next to the form fields it names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

Crumb = tuple[str, str | None]


def console_crumbs(*rest: Crumb) -> list[Crumb]:
    """The crumbs "Console", then `rest`; the last is the current page: no link."""
    crumbs: list[Crumb] = [(_("Console"), reverse("console:index")), *rest]
    label, _url = crumbs[-1]
    crumbs[-1] = (label, None)
    return crumbs


def apply_errors(form: Any, exc: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
