"""Messaging pages: the folders, reading a conversation, writing. Views parse input and call
the actions and queries; the rules live there."""

from __future__ import annotations

import html
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.files import download_response
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.core.pagination import BadCursorError, Page
from preau.documents.queries import recent_documents, workspace_uploads
from preau.messaging import actions, forms, queries
from preau.messaging.actions import Recipients
from preau.messaging.models import Message

_REPLY_PREFIX = re.compile(r"^\s*re\s*:", re.IGNORECASE)
_BREAKS = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)


def _page_context(request: ActorRequest, box: str, **extra: Any) -> dict[str, Any]:
    actor = request.actor
    return {
        "box": box,
        "folders": list(queries.folders_of(actor)),
        "unread": queries.unread_count(actor),
        "quota": queries.quota_use(actor),
        **extra,
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def index(request: ActorRequest) -> HttpResponse:
    """The inbox, a personal folder (`?folder=`), or search results (`?q=`)."""
    actor = request.actor
    search = request.GET.get("q", "").strip()[:100]
    folder = None
    if request.GET.get("folder"):
        folder = queries.folders_of(actor).filter(pk=_int(request.GET["folder"])).first()
        if folder is None:
            raise Http404
    copies = (
        queries.search_copies(actor, search) if search else queries.inbox_for(actor, folder=folder)
    )
    base = {k: v for k, v in (("q", search), ("folder", request.GET.get("folder", ""))) if v}
    try:
        page = queries.page_of_copies(copies, after=request.GET.get("after"), base_query=base)
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "messaging/pages/mailbox.html",
        _page_context(
            request, "folder" if folder else "inbox", page=page, folder=folder, search=search
        ),
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def box(request: ActorRequest, name: str) -> HttpResponse:
    """Flagged, sent, drafts or trash."""
    actor = request.actor
    page: Page[Any]
    try:
        if name == "flagged":
            page = queries.page_of_copies(
                queries.flagged_for(actor), after=request.GET.get("after")
            )
        elif name == "trash":
            page = queries.page_of_copies(queries.trash_for(actor), after=request.GET.get("after"))
        elif name == "sent":
            page = queries.page_of_messages(queries.sent_by(actor), after=request.GET.get("after"))
        elif name == "drafts":
            page = queries.page_of_messages(
                queries.drafts_of(actor), after=request.GET.get("after")
            )
        else:
            raise Http404
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(request, "messaging/pages/mailbox.html", _page_context(request, name, page=page))


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def read(request: ActorRequest, copy_id: int) -> HttpResponse:
    """One of my copies, with its conversation; opening it marks it read."""
    actor = request.actor
    copy = queries.access_copy(actor, copy_id)
    if copy.read_at is None:
        actions.mark_read(actor=actor, delivery=copy)
    thread = list(queries.thread_of(actor, copy.message))
    return render(
        request,
        "messaging/pages/thread.html",
        _page_context(request, "inbox", copy=copy, message=copy.message, thread=thread),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def received(request: ActorRequest, message_id: int) -> HttpResponse:
    """My copy of a message, by the message's id (the link of its notification)."""
    copy = queries.copy_of(request.actor, message_id)
    return redirect("messaging:read", copy_id=copy.pk)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def sent_message(request: ActorRequest, message_id: int) -> HttpResponse:
    actor = request.actor
    message = queries.access_message(actor, message_id)
    if message.sender_id != actor.person.pk:
        raise Http404
    thread = list(queries.thread_of(actor, message))
    return render(
        request,
        "messaging/pages/thread.html",
        _page_context(request, "sent", copy=None, message=message, thread=thread),
    )


@login_required
@require_POST
def copy_action(request: ActorRequest, copy_id: int, verb: str) -> HttpResponse:
    """trash, restore, unread, flag, unflag, file (POST `folder`, empty for the inbox)."""
    actor = request.actor
    copy = queries.access_copy(actor, copy_id)
    if verb == "trash":
        actions.move_to_trash(actor=actor, delivery=copy)
        messages.success(request, _("The message is in the trash (kept 30 days)."))
        return redirect("messaging:index")
    if verb == "restore":
        actions.restore(actor=actor, delivery=copy)
        messages.success(request, _("The message is back in your inbox."))
        return redirect("messaging:box", name="trash")
    if verb == "unread":
        actions.mark_read(actor=actor, delivery=copy, read=False)
        return redirect("messaging:index")
    if verb in {"flag", "unflag"}:
        actions.flag_copy(actor=actor, delivery=copy, flagged=verb == "flag")
        return redirect("messaging:read", copy_id=copy.pk)
    if verb == "file":
        raw = request.POST.get("folder")
        folder = queries.folders_of(actor).filter(pk=_int(raw)).first() if raw else None
        if raw and folder is None:
            raise Http404
        actions.file_in(actor=actor, delivery=copy, folder=folder)
        messages.success(request, _("The message is filed."))
        return redirect("messaging:read", copy_id=copy.pk)
    raise Http404


@login_required
@require_POST
def recall(request: ActorRequest, message_id: int) -> HttpResponse:
    actor = request.actor
    message = queries.access_message(actor, message_id)
    try:
        actions.recall_message(actor=actor, message=message)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("messaging:sent_message", message_id=message.pk)
    messages.success(request, _("The message is recalled: nobody will see it."))
    return redirect("messaging:box", name="sent")


@login_required
@require_POST
def new_folder(request: ActorRequest) -> HttpResponse:
    form = forms.FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = actions.create_folder(actor=request.actor, name=form.cleaned_data["name"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect(f"{reverse('messaging:index')}?folder={folder.pk}")
    return redirect("messaging:index")


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment(request: ActorRequest, attachment_id: int) -> FileResponse:
    """An attachment, always as a download with a type no browser runs (see served_type)."""
    item = queries.access_attachment(request.actor, attachment_id)
    return download_response(item.file, name=item.name, content_type=item.content_type)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def unread_badge(request: ActorRequest) -> HttpResponse:
    """The header's unread count (loaded by htmx after the page, so pages pay nothing)."""
    return render(
        request,
        "messaging/partials/unread_badge.html",
        {"unread": queries.unread_count(request.actor)},
    )


# --- writing --------------------------------------------------------------------------------


def _recipients(
    request: ActorRequest, form: forms.ComposeForm, labels: dict[str, str]
) -> Recipients:
    targets = [
        (actions.target_for_key(actor=request.actor, key=key), labels[key])
        for key in form.cleaned_data["audiences"]
    ]
    return Recipients(people=form.cleaned_data["to"], targets=targets)


def _plain(body_html: str) -> str:
    """The text of a stored body, for the plain text area (no JavaScript)."""
    return html.unescape(strip_tags(_BREAKS.sub("\n", body_html))).strip()


def _forwarded_body(original: Message) -> str:
    """The forwarded message under a header, as French mail clients quote it."""
    lines = [
        _("-------- Forwarded message --------"),
        _("From: %(name)s") % {"name": original.sender.full_name},
        _("Date: %(date)s")
        % {"date": date_format(timezone.localtime(original.sent_at), "DATETIME_FORMAT")},
        _("Subject: %(subject)s") % {"subject": original.subject},
    ]
    header = "<p>" + "<br>".join(escape(line) for line in lines) + "</p>"
    return f"<p></p>{header}<blockquote>{original.body_html}</blockquote>"


def _prefill(request: ActorRequest) -> tuple[dict[str, Any], Message | None, Message | None]:
    """What a new message starts with, and what it answers or forwards: `?to=` a person,
    `?reply=` a copy (`&all=1`), `?forward=` a message sent or received, `?draft=`."""
    actor = request.actor
    if request.GET.get("draft"):
        draft = queries.access_draft(actor, _int(request.GET["draft"]))
        people = [a["id"] for a in draft.addressed if a.get("kind") == "person"]
        initial = {
            "to": people,
            "subject": draft.subject,
            "body": _plain(draft.body_html),
            "body_html": draft.body_html,
            "draft": draft.pk,
        }
        return initial, draft.reply_to, None
    if request.GET.get("reply"):
        copy = queries.access_copy(actor, _int(request.GET["reply"]))
        original = copy.message
        recipients = actions.reply_recipients(
            actor=actor, message=original, reply_all=request.GET.get("all") == "1"
        )
        subject = (
            original.subject
            if _REPLY_PREFIX.match(original.subject)
            else f"Re : {original.subject}"
        )
        initial = {"to": list(recipients.people), "subject": subject, "reply_to": original.pk}
        return initial, original, None
    if request.GET.get("forward"):
        original = queries.access_message(actor, _int(request.GET["forward"]))
        body = _forwarded_body(original)
        initial = {
            "subject": f"Tr : {original.subject}",
            "body": _plain(body),
            "body_html": body,
            "forward": original.pk,
        }
        return initial, None, original
    if request.GET.get("to"):
        return {"to": [_int(request.GET["to"])]}, None, None
    return {}, None, None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def compose(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    choices = queries.addressable_audiences(actor)
    labels = {c.key: c.label for c in choices}
    initial, reply_to, forward_of = (
        _prefill(request) if request.method != "POST" else ({}, None, None)
    )
    documents = list(recent_documents(actor))
    form = forms.ComposeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        audience_choices=[(c.key, c.label) for c in choices],
        document_choices=[(d.pk, d.name) for d in documents],
    )
    confirm: str | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = queries.access_draft(actor, data["draft"]) if data["draft"] else None
        if data["reply_to"]:
            reply_to = queries.access_message(actor, data["reply_to"])
        if data["forward"]:
            forward_of = queries.access_message(actor, data["forward"])
        try:
            recipients = _recipients(request, form, labels)
            if "save_draft" in request.POST:
                draft = actions.save_draft(
                    actor=actor,
                    subject=data["subject"],
                    body=data["body"],
                    recipients=recipients,
                    draft=draft,
                    reply_to=reply_to,
                )
                messages.success(request, _("The draft is saved."))
                return redirect("messaging:box", name="drafts")
            message = actions.send_message(
                actor=actor,
                subject=data["subject"],
                body=data["body"],
                recipients=recipients,
                draft=draft,
                reply_to=reply_to,
                broadcast=data["broadcast"],
                confirmed=data["confirmed"],
                attachments=[*data["attachments"], *workspace_uploads(actor, data["documents"])],
                forward_of=forward_of,
            )
        except PermissionDenied:
            form.add_error("broadcast", _("Only the school's staff send no-reply broadcasts."))
        except ValidationError as exc:
            if getattr(exc, "code", None) == "confirm":
                confirm = " ".join(exc.messages)
            else:
                apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your message is sent to %(count)d people.") % {"count": message.recipient_count}
                if message.recipient_count > 1
                else _("Your message is sent."),
            )
            return redirect("messaging:box", name="sent")
    chosen_ids = [_int(str(v)) for v in form["to"].value() or []]
    chosen = queries.people_chosen(actor, chosen_ids, reply_to=reply_to)
    return render(
        request,
        "messaging/pages/compose.html",
        _page_context(
            request,
            "compose",
            form=form,
            chosen=list(chosen),
            confirm=confirm,
            reply_to=reply_to,
            forward_of=forward_of,
            image_max=actions.INLINE_IMAGE_MAX_BYTES,
            can_broadcast=actions.policy.can(actor, actions.Perm.BROADCAST, actor.school),
        ),
    )


@login_required
@require_POST
def autosave(request: ActorRequest) -> HttpResponse:
    """The compose page's draft, saved a few seconds after one stops typing (htmx): answers
    the draft's id (swapped into the form) and when it was saved. Files are not saved."""
    actor = request.actor
    choices = queries.addressable_audiences(actor)
    labels = {c.key: c.label for c in choices}
    form = forms.ComposeForm(request.POST, audience_choices=[(c.key, c.label) for c in choices])
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        typed = data["subject"] or strip_tags(data["body"]).strip() or "<img" in data["body"]
        if typed or data["to"] or data["draft"]:
            draft = queries.access_draft(actor, data["draft"]) if data["draft"] else None
            reply_to = queries.access_message(actor, data["reply_to"]) if data["reply_to"] else None
            try:
                saved = actions.save_draft(
                    actor=actor,
                    subject=data["subject"],
                    body=data["body"],
                    recipients=_recipients(request, form, labels),
                    draft=draft,
                    reply_to=reply_to,
                )
            except (ValidationError, PermissionDenied):
                saved = None
    return render(request, "messaging/partials/autosave.html", {"saved": saved, "form": form})


@login_required
@require_POST
def discard_draft(request: ActorRequest, message_id: int) -> HttpResponse:
    draft = queries.access_draft(request.actor, message_id)
    actions.discard_draft(actor=request.actor, draft=draft)
    messages.success(request, _("The draft is deleted."))
    return redirect("messaging:box", name="drafts")
