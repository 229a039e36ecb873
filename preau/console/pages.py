"""What every console page shares, whichever app serves it (the console's own pages, the OIDC
clients, the identity providers): breadcrumbs from the console's index."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

Crumb = tuple[str, str | None]


def console_crumbs(*rest: Crumb) -> list[Crumb]:
    """The crumbs "Console", then `rest`; the last is the current page: no link."""
    crumbs: list[Crumb] = [(_("Console"), reverse("console:index")), *rest]
    label, _url = crumbs[-1]
    crumbs[-1] = (label, None)
    return crumbs
