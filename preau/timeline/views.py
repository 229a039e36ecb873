"""Timeline pages: the feed, its home-page partial and header badge, opening an item, read
marks, preferences; the mail relay's bounce webhook and the push service worker. Views parse
input and call the actions and queries; the rules live there."""

from __future__ import annotations

import hmac
import json
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from preau.core.forms import apply_errors
from preau.core.http import ActorRequest, PreauRequest
from preau.core.pagination import BadCursorError
from preau.timeline import actions, queries
from preau.timeline.forms import PreferencesForm

BOUNCE_BODY_MAX = 10_000


def _app(request: ActorRequest) -> str | None:
    app = request.GET.get("app", "")
    return app if app in queries.APP_LABELS else None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def index(request: ActorRequest) -> HttpResponse:
    """The whole feed, newest first, by app (`?app=`), a page at a time (`?after=`)."""
    app = _app(request)
    try:
        page = queries.feed_for(request.actor, after=request.GET.get("after"), app=app)
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    context = {"page": page, "app": app, "apps": queries.filter_apps()}
    if request.headers.get("HX-Request") and request.GET.get("after"):
        return render(request, "timeline/partials/items.html", context)
    return render(request, "timeline/pages/feed.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def latest(request: ActorRequest) -> HttpResponse:
    """The home page's "What's new" (loaded by htmx after the page)."""
    page = queries.feed_for(request.actor, limit=queries.HOME_SIZE)
    return render(request, "timeline/partials/latest.html", {"page": page})


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def unread_badge(request: ActorRequest) -> HttpResponse:
    """The header's unread count (loaded by htmx after the page, so pages pay nothing)."""
    return render(
        request,
        "timeline/partials/unread_badge.html",
        {"unread": queries.unread_count(request.actor)},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def open_item(request: ActorRequest, notification_id: int) -> HttpResponse:
    """Mark the item read and go to what it is about (same-site addresses only)."""
    item = queries.access_notification(request.actor, notification_id)
    return redirect(actions.open_notification(actor=request.actor, notification=item))


def _back(request: ActorRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if actions.is_safe_url(target) else "timeline:index")


@login_required
@require_POST
def read(request: ActorRequest, notification_id: int) -> HttpResponse:
    item = queries.access_notification(request.actor, notification_id)
    actions.mark_read(actor=request.actor, notification=item)
    if request.headers.get("HX-Request"):
        item.is_read = True  # type: ignore[attr-defined]
        return render(request, "timeline/partials/item.html", {"item": item})
    return _back(request)


@login_required
@require_POST
def read_all(request: ActorRequest) -> HttpResponse:
    count = actions.mark_all_read(actor=request.actor)
    if count:
        messages.success(request, _("Everything is marked read."))
    return _back(request)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    current = queries.preferences_of(actor)
    email_ok = queries.email_allowed(actor)
    form = PreferencesForm(request.POST or None, current=current, email_ok=email_ok)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_preferences(actor=actor, choices=form.choices())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("timeline:preferences")
    return render(
        request,
        "timeline/pages/preferences.html",
        {
            "form": form,
            "email_ok": email_ok,
            "is_pupil": queries.is_pupil(actor),
            "bounce": queries.bounce_of(actor),
            "vapid_public_key": settings.PREAU_VAPID_PUBLIC_KEY,
            "subscriptions": len(queries.subscriptions_of(actor)),
            "crumbs": [
                (_("Home"), reverse("portal:home")),
                (_("What's new"), reverse("timeline:index")),
                (_("Delivery preferences"), None),
            ],
        },
    )


@csrf_exempt
@require_POST
def bounces(request: PreauRequest) -> HttpResponse:
    """The mail relay reports a refused address: `{"address": ..., "reason": ...}` with
    `Authorization: Bearer <PREAU_BOUNCE_TOKEN>`. Absent without a token configured."""
    token = str(settings.PREAU_BOUNCE_TOKEN)
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return JsonResponse(
            {"code": "unauthorized", "detail": _("Wrong or missing token.")}, status=401
        )
    try:
        body = json.loads(request.body[:BOUNCE_BODY_MAX])
        address = str(body["address"]).strip()
        reason = str(body.get("reason", ""))
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"code": "invalid", "detail": _("Expected JSON with an “address”.")}, status=400
        )
    if "@" not in address:
        return JsonResponse(
            {"code": "invalid", "detail": _("Expected JSON with an “address”.")}, status=400
        )
    flagged = actions.report_bounce(tenant=request.tenant, address=address, reason=reason)
    return JsonResponse({"flagged": flagged})


@cache
def _service_worker() -> str:
    return render_to_string("timeline/sw.js")


@require_safe
def service_worker(request: PreauRequest) -> HttpResponse:
    """The push service worker, served from the root so its scope is the whole site."""
    response = HttpResponse(_service_worker(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
