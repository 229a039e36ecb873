"""The portal's pages: home, profile, school switcher, avatars. Thin: queries in, actions out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from preau.core.http import ActorRequest, PreauRequest
from preau.directory.queries import ACTIVE_SCHOOL_SESSION_KEY, access_school
from preau.portal.actions import remove_avatar as remove_avatar_action
from preau.portal.actions import set_avatar, update_profile
from preau.portal.avatars import content_type_for
from preau.portal.forms import ProfileForm
from preau.portal.queries import access_avatar, home_for, school_places


@login_required
@require_safe
def home(request: ActorRequest) -> HttpResponse:
    return render(
        request,
        "portal/pages/home.html",
        {"home": home_for(request.actor), "today": timezone.localdate()},
    )


def _safe_next(request: PreauRequest) -> str | None:
    """Where to go back: `next`, else the referer, when it is on this host."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return None


@login_required
@require_POST
def switch_school(request: ActorRequest) -> HttpResponse:
    """Make another of the actor's schools active (404 for any other school)."""
    try:
        school_id = int(request.POST.get("school", ""))
    except ValueError:
        raise Http404 from None
    school = access_school(request.actor, school_id)
    request.session[ACTIVE_SCHOOL_SESSION_KEY] = school.pk
    return HttpResponseRedirect(_safe_next(request) or reverse("portal:home"))


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """The same cookie Django's set_language view writes, so LocaleMiddleware follows it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, person=actor.person)
        if form.is_valid():
            try:
                # Preferences and picture together: a refused picture saves nothing.
                with transaction.atomic():
                    update_profile(actor=actor, **form.profile_values())
                    if form.cleaned_data["avatar"]:
                        set_avatar(actor=actor, upload=form.cleaned_data["avatar"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                language = form.cleaned_data["language"]
                translation.activate(language)
                messages.success(request, _("Your profile is saved."))
                response = redirect("portal:profile")
                _set_language_cookie(response, language)
                return response
    else:
        form = ProfileForm(person=actor.person)
    return render(
        request,
        "portal/pages/profile.html",
        {"form": form, "person": actor.person, "places": school_places(actor)},
    )


@login_required
@require_POST
def remove_avatar(request: ActorRequest) -> HttpResponse:
    remove_avatar_action(actor=request.actor)
    messages.success(request, _("Your picture is removed."))
    return redirect("portal:profile")


@require_safe
def avatar(request: PreauRequest, person_id: int) -> HttpResponseBase:
    """A person's picture, to people who share a school with them (404 for anyone else)."""
    if request.actor is None:
        raise Http404
    person = access_avatar(request.actor, person_id)
    name = person.avatar.name or ""
    try:
        file = default_storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(file, content_type=content_type_for(name))
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
