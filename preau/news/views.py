"""News pages: the news for me, mine, writing, one news, the validation queue, the flash banner.
Views parse input and call the actions and queries; the rules live there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.files import download_response
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.core.pagination import BadCursorError
from preau.documents.queries import recent_documents, workspace_uploads
from preau.news import actions, forms, queries
from preau.news.models import News, NewsFile
from preau.news.permissions import Perm, policy

Crumb = tuple[str, str | None]


def _crumbs(*rest: Crumb) -> list[Crumb]:
    crumbs: list[Crumb] = [(_("News"), reverse("news:index")), *rest]
    label, _url = crumbs[-1]
    crumbs[-1] = (label, None)
    return crumbs


def _nav(request: ActorRequest) -> dict[str, Any]:
    """What the news pages' local menu offers (no query)."""
    actor = request.actor
    return {
        "can_write": policy.can(actor, Perm.WRITE),
        "manages": actor.is_operator or bool(queries.management_school_ids(actor)),
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def index(request: ActorRequest) -> HttpResponse:
    """The published news that concern me, newest first."""
    try:
        page = queries.news_for(request.actor, after=request.GET.get("after"))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "news/pages/index.html",
        {"page": page, "crumbs": [(_("News"), None)], **_nav(request)},
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def mine(request: ActorRequest) -> HttpResponse:
    """The news I wrote, every status, with how many of their audience read them."""
    if not policy.can(request.actor, Perm.WRITE):
        raise Http404
    try:
        page = queries.page_of_mine(request.actor, after=request.GET.get("after"))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "news/pages/mine.html",
        {"page": page, "crumbs": _crumbs((_("My news"), None)), **_nav(request)},
    )


def _initial(news: News) -> dict[str, Any]:
    return {
        "title": news.title,
        "body": news.body_html,
        "body_html": news.body_html,
        "targets": [a["key"] for a in news.addressed],
        "publish_at": news.publish_at,
        "expires_at": news.expires_at,
        "is_urgent": news.is_urgent,
        "allow_comments": news.allow_comments,
    }


def _choices(request: ActorRequest, news: News | None) -> list[tuple[str, Any]]:
    grouped = [
        (group, [(c.key, c.label) for c in choices])
        for group, choices in queries.target_choices(request.actor)
    ]
    offered = {key for _group, choices in grouped for key, _label in choices}
    # What a draft already holds stays offered (the action checks it again).
    kept = [
        (a["key"], a["label"]) for a in (news.addressed if news else []) if a["key"] not in offered
    ]
    return grouped + ([(_("Already chosen"), kept)] if kept else [])


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def write(request: ActorRequest, news_id: int | None = None) -> HttpResponse:
    """Write a news or go on with one (a draft, or a rejected news): save, submit, publish."""
    actor = request.actor
    news = queries.access_news(actor, news_id) if news_id is not None else None
    if news is not None and not policy.can(actor, Perm.EDIT, news):
        raise Http404
    if news is None and not policy.can(actor, Perm.WRITE):
        raise Http404
    form = forms.NewsForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial(news) if news else {},
        target_choices=_choices(request, news),
        document_choices=[(d.pk, d.name) for d in recent_documents(actor)],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            news = actions.save_draft(
                actor=actor,
                news=news,
                title=data["title"],
                body=data["body"],
                targets=data["targets"],
                publish_at=data["publish_at"],
                expires_at=data["expires_at"],
                is_urgent=data["is_urgent"],
                allow_comments=data["allow_comments"],
                images=data["images"],
                attachments=[*data["attachments"], *workspace_uploads(actor, data["documents"])],
            )
        except PermissionDenied:
            form.add_error("targets", _("You may not write news for this audience."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_save(request, news, form)
    files = queries.files_of(news) if news else []
    title = _("Edit the news") if news else _("Write a news item")
    return render(
        request,
        "news/pages/write.html",
        {
            "form": form,
            "news": news,
            "files": files,
            "title": title,
            "crumbs": _crumbs((title, None)),
            "needs_validation": _needs_validation(request),
            **_nav(request),
        },
    )


def _needs_validation(request: ActorRequest) -> bool:
    school = request.actor.school
    if school is None:
        return False
    from preau.news.permissions import needs_validation

    return needs_validation(request.actor, school.pk)


def _after_save(request: ActorRequest, news: News, form: forms.NewsForm) -> HttpResponse:
    actor = request.actor
    verb = "publish" if "publish" in request.POST else "submit" if "submit" in request.POST else ""
    if not verb:
        messages.success(request, _("The draft is saved."))
        return redirect("news:edit", news_id=news.pk)
    try:
        if verb == "publish" and policy.can(actor, Perm.PUBLISH, news):
            news = actions.publish_news(actor=actor, news=news)
        else:
            news = actions.submit_news(actor=actor, news=news)
    except (PermissionDenied, ValidationError) as exc:
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else ""
        messages.error(
            request,
            _("The draft is saved but not sent: %(reason)s")
            % {"reason": detail or _("you may not publish it.")},
        )
        return redirect("news:edit", news_id=news.pk)
    messages.success(request, _status_message(news))
    return redirect("news:detail", news_id=news.pk)


def _status_message(news: News) -> str:
    if news.status == News.Status.PUBLISHED:
        return _("The news is published.")
    if news.status == News.Status.SCHEDULED:
        return _("The news will be published on %(date)s.") % {
            "date": news.publish_at.strftime("%d/%m/%Y %H:%M") if news.publish_at else ""
        }
    return _("The news is sent to the management for validation.")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def detail(request: ActorRequest, news_id: int) -> HttpResponse:
    """One news: opening it marks it read; pictures inline, attachments, comments."""
    actor = request.actor
    news = queries.access_news(actor, news_id)
    actions.mark_news_read(actor=actor, news=news)
    files = queries.files_of(news)
    manages = policy.manages(actor, news)
    mine = news.author_id == actor.person.pk
    return render(
        request,
        "news/pages/detail.html",
        {
            "news": news,
            "images": [f for f in files if f.kind == NewsFile.Kind.IMAGE],
            "attachments": [f for f in files if f.kind == NewsFile.Kind.ATTACHMENT],
            "comments": list(queries.comments_of(news)) if news.allow_comments else [],
            "comment_form": forms.CommentForm(),
            "reject_form": forms.RejectForm(),
            "stats": queries.read_stats(news) if (mine or manages) and news.published_at else None,
            "mine": mine,
            "manages": manages,
            "can": {
                perm.name.lower(): policy.can(actor, perm, news)
                for perm in (
                    Perm.EDIT,
                    Perm.SUBMIT,
                    Perm.PUBLISH,
                    Perm.VALIDATE,
                    Perm.WITHDRAW,
                    Perm.COMMENT,
                )
            },
            "crumbs": _crumbs((news.title, None)),
            **_nav(request),
        },
    )


_VERBS: dict[str, Callable[..., News]] = {
    "submit": actions.submit_news,
    "publish": actions.publish_news,
    "validate": actions.validate_news,
    "reject": actions.reject_news,
    "withdraw": actions.withdraw_news,
}


@login_required
@require_POST
def news_action(request: ActorRequest, news_id: int, verb: str) -> HttpResponse:
    """submit, publish, validate, reject (POST `reason`), withdraw."""
    actor = request.actor
    news = queries.access_news(actor, news_id)
    if verb not in _VERBS:
        raise Http404
    extra = {"reason": request.POST.get("reason", "")} if verb == "reject" else {}
    try:
        news = _VERBS[verb](actor=actor, news=news, **extra)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("news:detail", news_id=news.pk)
    if verb == "withdraw":
        messages.success(request, _("The news is withdrawn: nobody sees it any more."))
    elif verb == "reject":
        messages.success(request, _("The news is sent back to its author."))
        return redirect("news:validation")
    else:
        messages.success(request, _status_message(news))
    if verb == "validate" and request.POST.get("from") == "queue":
        return redirect("news:validation")
    return redirect("news:detail", news_id=news.pk)


@login_required
@require_POST
def dismiss(request: ActorRequest, news_id: int) -> HttpResponse:
    """Close an urgent news' banner: htmx gets the remaining banners, a plain form the news."""
    actor = request.actor
    news = queries.access_news(actor, news_id)
    actions.dismiss_flash(actor=actor, news=news)
    if request.headers.get("HX-Request"):
        return _banners(request)
    return redirect("news:detail", news_id=news.pk)


@login_required
@require_POST
def comment(request: ActorRequest, news_id: int) -> HttpResponse:
    actor = request.actor
    news = queries.access_news(actor, news_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("news:detail", news_id=news.pk)
    try:
        actions.comment_news(actor=actor, news=news, text=form.cleaned_data["text"])
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('news:detail', args=[news.pk])}#comments")


@login_required
@require_POST
def delete_comment(request: ActorRequest, comment_id: int) -> HttpResponse:
    actor = request.actor
    item = queries.access_comment(actor, comment_id)
    try:
        actions.delete_comment(actor=actor, comment=item)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The comment is deleted."))
    return redirect(f"{reverse('news:detail', args=[item.news_id])}#comments")


@login_required
@require_http_methods(["GET", "HEAD"])
def news_file(request: ActorRequest, file_id: int) -> FileResponse:
    """A picture (shown inline when its type is a harmless image) or an attachment, always
    with the safe headers of `download_response`."""
    item = queries.access_file(request.actor, file_id)
    inline = item.kind == NewsFile.Kind.IMAGE and item.content_type in actions.IMAGE_TYPES
    return download_response(
        item.file, name=item.name, content_type=item.content_type, as_attachment=not inline
    )


@login_required
@require_POST
def delete_file(request: ActorRequest, file_id: int) -> HttpResponse:
    actor = request.actor
    item = queries.access_file(actor, file_id)
    try:
        actions.remove_news_file(actor=actor, news_file=item)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("“%(name)s” is removed.") % {"name": item.name})
    return redirect("news:edit", news_id=item.news_id)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def validation(request: ActorRequest) -> HttpResponse:
    """The management's queue: the news submitted to the schools they manage."""
    actor = request.actor
    if not _nav(request)["manages"]:
        raise Http404
    school = actor.school if actor.school and actor.manages_school(actor.school.pk) else None
    settings_form = None
    if school is not None:
        rules = queries.settings_of(school.pk)
        settings_form = forms.SettingsForm(
            initial={
                "teachers_need_validation": rules.teachers_need_validation,
                "staff_need_validation": rules.staff_need_validation,
            }
        )
    return render(
        request,
        "news/pages/validation.html",
        {
            "queue": list(queries.to_validate(actor)),
            "reject_form": forms.RejectForm(),
            "school": school,
            "settings_form": settings_form,
            "crumbs": _crumbs((_("To validate"), None)),
            **_nav(request),
        },
    )


@login_required
@require_POST
def school_settings(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    school = actor.school
    if school is None or not policy.can(actor, Perm.MANAGE_SETTINGS, school):
        raise Http404
    form = forms.SettingsForm(request.POST)
    form.is_valid()  # two check boxes: always valid
    actions.set_news_settings(
        actor=actor,
        school=school,
        teachers_need_validation=form.cleaned_data["teachers_need_validation"],
        staff_need_validation=form.cleaned_data["staff_need_validation"],
    )
    messages.success(request, _("The news rules of %(name)s are saved.") % {"name": school.name})
    return redirect("news:validation")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def flash(request: ActorRequest) -> HttpResponse:
    """The urgent news banners, loaded by htmx after every page (one query)."""
    return _banners(request)


def _banners(request: ActorRequest) -> HttpResponse:
    return render(request, "news/partials/flash.html", {"flash": queries.flash_for(request.actor)})
