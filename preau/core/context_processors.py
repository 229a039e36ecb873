from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: tenant brand and the actor (both lazy)."""
    return {
        "tenant": getattr(request, "tenant", None),
        "actor": getattr(request, "actor", None),
    }
