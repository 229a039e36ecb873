"""Log in and out, activate an account, reset a forgotten password, see one's own sessions
and personal API tokens.

Views parse forms and call `preau.accounts.actions`; they hold no rule of their own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from preau.accounts import actions, forms
from preau.accounts.devices import describe_device
from preau.accounts.queries import MAX_LISTED_SESSIONS, api_tokens_of, sessions_of
from preau.core.http import ActorRequest, PreauRequest
from preau.directory.models import Person
from preau.sso.saml.queries import login_choices

USER_AGENT_MAX = 300
TENANT_BACKEND = "preau.accounts.backends.TenantBackend"


def _ip(request: PreauRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _user_agent(request: PreauRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]


def _safe_next(request: PreauRequest, candidate: str | None) -> str:
    """`candidate` if it stays on this site, else the home page."""
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not candidate.startswith(reverse("accounts:login"))
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _open_session(
    request: PreauRequest, person: Person, *, to: str, method: str = "password"
) -> HttpResponseRedirect:
    """Log `person` in on this request, list and audit the session, speak their language.

    `method`: how they proved who they are ("password", "activation", "reset", or the identity
    provider of a federated login), written in the audit entry."""
    # authenticate() names the backend; activation and reset log in with the tenant backend.
    auth_login(request, person, backend=getattr(person, "backend", TENANT_BACKEND))
    actions.open_session(
        actor=actions.acting_as(person, ip=_ip(request), tenant=request.tenant),
        session_key=request.session.session_key,
        user_agent=_user_agent(request),
        method=method,
    )
    response = HttpResponseRedirect(to)
    if person.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            person.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: PreauRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method != "POST" and request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = forms.LoginForm(request.POST or None, initial={"next": next_url})
    show_activation = False
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.authenticate_login(
                request=request,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            show_activation = error.code == "not_activated"
            form.add_error(None, error)
        else:
            return _open_session(request, person, to=_safe_next(request, next_url))
    return render(
        request,
        "accounts/pages/login.html",
        {
            "form": form,
            "show_activation": show_activation,
            "choices": login_choices(request.tenant),
        },
    )


@require_http_methods(["GET", "POST"])
def logout(request: PreauRequest) -> HttpResponse:
    """GET asks for confirmation; only POST logs out (a link or an image cannot)."""
    if request.method == "GET":
        return render(request, "accounts/pages/logout.html")
    # A session opened through a SAML identity provider also ends there (single logout).
    from preau.sso.saml.views import begin_single_logout

    single_logout = begin_single_logout(request)
    if request.actor is not None:
        actions.end_session(actor=request.actor, session_key=request.session.session_key)
    auth_logout(request)
    messages.success(request, _("You are logged out. See you soon!"))
    if single_logout is not None:
        return single_logout.redirect(request)
    return redirect("accounts:login")


@login_required
@never_cache
@require_safe
def sessions(request: ActorRequest) -> HttpResponse:
    key = request.session.session_key
    actions.refresh_sessions(actor=request.actor, session_key=key, user_agent=_user_agent(request))
    rows = list(sessions_of(request.actor)[:MAX_LISTED_SESSIONS])
    return render(
        request,
        "accounts/pages/sessions.html",
        {
            "rows": [(row, describe_device(row.user_agent)) for row in rows],
            "current_key": key,
            "others": sum(row.session_key != key for row in rows),
        },
    )


@login_required
@require_POST
def revoke_session(request: ActorRequest, session_id: int) -> HttpResponse:
    row = actions.revoke_session(actor=request.actor, session_id=session_id)
    if row.session_key == request.session.session_key:
        auth_logout(request)
        return redirect("accounts:login")
    messages.success(request, _("That session is logged out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def log_out_everywhere(request: ActorRequest) -> HttpResponse:
    count = actions.log_out_everywhere(
        actor=request.actor, keep_session_key=request.session.session_key
    )
    if count:
        messages.success(request, _("Your other sessions are logged out."))
    else:
        messages.info(request, _("You had no other open session."))
    return redirect("accounts:sessions")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: ActorRequest) -> HttpResponse:
    """List one's own API tokens and create one; a new token is shown once, on this response."""
    form = forms.ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = actions.create_api_token(
                actor=request.actor, label=form.cleaned_data["label"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            form = forms.ApiTokenForm()
    # never_cache sends `Cache-Control: no-store`: the new token must not stay in any cache.
    return render(
        request,
        "accounts/pages/tokens.html",
        {"form": form, "rows": list(api_tokens_of(request.actor)), "new_token": new_token},
    )


@login_required
@require_POST
def revoke_token(request: ActorRequest, token_id: int) -> HttpResponse:
    row = actions.revoke_api_token(actor=request.actor, token_id=token_id)
    messages.success(request, _("The token “%(label)s” is revoked.") % {"label": row.label})
    return redirect("accounts:tokens")


@sensitive_post_parameters("password", "password_confirm", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: PreauRequest) -> HttpResponse:
    form = forms.ActivationForm(
        request.POST or None, initial={"login": request.GET.get("login", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.activate_account(
                tenant=request.tenant,
                login=data["login"],
                code=data["code"],
                password=data["password"],
                accept_terms=data["accept_terms"],
                ip=_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Welcome! Your account is active."))
            return _open_session(
                request, person, to=reverse(settings.LOGIN_REDIRECT_URL), method="activation"
            )
    return render(request, "accounts/pages/activate.html", {"form": form})


@require_safe
def terms(request: PreauRequest) -> HttpResponse:
    return render(request, "accounts/pages/terms.html")


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_request(request: PreauRequest) -> HttpResponse:
    form = forms.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            actions.request_password_reset(
                tenant=request.tenant,
                identifier=identifier,
                ip=_ip(request),
                confirm_url=request.build_absolute_uri(reverse("accounts:reset_confirm")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "If an active account matches and has an e-mail address, a code valid "
                    "24 hours has been sent to it. Type it below with your new password."
                ),
            )
            query = "" if "@" in identifier else "?" + urlencode({"login": identifier})
            return redirect(reverse("accounts:reset_confirm") + query)
    return render(request, "accounts/pages/reset_request.html", {"form": form})


@sensitive_post_parameters("password", "password_confirm", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_confirm(request: PreauRequest) -> HttpResponse:
    form = forms.ResetConfirmForm(
        request.POST or None, initial={"login": request.GET.get("login", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.reset_password_with_code(
                tenant=request.tenant,
                login=data["login"],
                code=data["code"],
                password=data["password"],
                ip=_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your password has been changed."))
            return _open_session(
                request, person, to=reverse(settings.LOGIN_REDIRECT_URL), method="reset"
            )
    return render(request, "accounts/pages/reset_confirm.html", {"form": form})
