"""Login names: firstname.lastname, folded to ASCII, with a numeric suffix for homonyms."""

from __future__ import annotations

import re
from collections.abc import Iterable

from preau.core.models import Tenant
from preau.core.sanitize import fold
from preau.directory.models import Person


def login_stem(first_name: str, last_name: str) -> str:
    def part(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")

    return f"{part(first_name)}.{part(last_name)}".strip(".") or "utilisateur"


def generate_login(
    tenant: Tenant, first_name: str, last_name: str, reserved: Iterable[str] = ()
) -> str:
    """`jeanne.dupont`, then `jeanne.dupont2`, `jeanne.dupont3`… for homonyms in the tenant.

    `reserved` holds names already handed out but not yet saved (bulk creation).
    """
    stem = login_stem(first_name, last_name)
    taken = set(
        Person.objects.filter(tenant=tenant, login__startswith=stem).values_list("login", flat=True)
    ) | {name for name in reserved if name.startswith(stem)}
    if stem not in taken:
        return stem
    suffix = 2
    while f"{stem}{suffix}" in taken:
        suffix += 1
    return f"{stem}{suffix}"
