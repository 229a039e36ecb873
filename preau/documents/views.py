"""Documents pages: spaces, folders, files, sharing, the trash. Views parse input and call the
actions and queries; what is missing or forbidden answers 404 alike."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.files import download_response, is_inline_safe
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest, PreauRequest
from preau.core.pagination import BadCursorError
from preau.directory.models import Profile
from preau.documents import actions, delivery, forms, queries
from preau.documents.models import Document, Folder, Right, Space
from preau.documents.permissions import (
    Perm,
    policy,
    public_links_allowed,
    readable_trail,
    right_on,
)

GET = ["GET", "HEAD"]


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


def _wants_json(request: ActorRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
@never_cache
@require_http_methods(GET)
def index(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "documents/pages/index.html",
        {
            "personal": queries.personal_space(actor),
            "choices": queries.spaces_for(actor),
            "shares": list(queries.shared_with(actor)[:10]),
            "quota": queries.quota_for(actor),
            "sets_quotas": actor.is_operator or bool(actor.managed_school_ids),
        },
    )


@login_required
@never_cache
@require_http_methods(GET)
def shared(request: ActorRequest) -> HttpResponse:
    return render(
        request,
        "documents/pages/shared.html",
        {"shares": list(queries.shared_with(request.actor)[:200])},
    )


@login_required
@require_http_methods(GET)
def open_space(request: ActorRequest, kind: str, ref_id: int | None = None) -> HttpResponse:
    try:
        space = actions.open_space(actor=request.actor, kind=kind, ref_id=ref_id)
    except PermissionDenied:
        raise Http404 from None
    return redirect("documents:space", space.pk)


def _crumbs(
    actor: Any, space: Space, trail: list[Folder], *, current: str | None = None
) -> list[tuple[str, str | None]]:
    """Documents, the space, the folders down to here (only those the actor may open: someone
    reading through a share starts from "Shared with me"); the last one is the page itself."""
    crumbs: list[tuple[str, str | None]] = [(_("Documents"), reverse("documents:index"))]
    readable = readable_trail(actor, space, trail)
    if current is None and trail and not readable:
        readable = trail[-1:]  # the folder shown: the actor reads it
    if len(readable) == len(trail) and right_on(actor, space) >= Right.READ:
        crumbs.append((space.name, reverse("documents:space", args=[space.pk])))
    else:
        crumbs.append((_("Shared with me"), reverse("documents:shared")))
    crumbs += [(f.name, reverse("documents:folder", args=[f.pk])) for f in readable]
    if current is not None:
        crumbs.append((current, None))
    else:
        crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _browse(
    request: ActorRequest, space: Space, folder: Folder | None, **extra: Any
) -> HttpResponse:
    actor = request.actor
    item: Space | Folder = folder or space
    descending = request.GET.get("sort") == "-name"
    base = {"sort": "-name"} if descending else {}
    try:
        page = queries.page_of_files(
            space, folder, after=request.GET.get("after"), descending=descending, base_query=base
        )
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    trail = queries.ancestors_of(folder)
    right = right_on(actor, item)
    context = {
        "space": space,
        "folder": folder,
        "crumbs": _crumbs(actor, space, trail),
        "subfolders": list(queries.subfolders(space, folder)) if not page.has_previous else [],
        "page": page,
        "descending": descending,
        "can_contribute": right >= Right.CONTRIBUTE,
        "can_manage": right >= Right.MANAGE,
        "can_see_trash": right_on(actor, space) >= Right.CONTRIBUTE,
        "can_edit_folder": folder is not None and policy.can(actor, Perm.EDIT, folder),
        "quota": queries.quota_for(actor),
        "upload_form": extra.pop("upload_form", None) or forms.UploadForm(),
        "folder_form": extra.pop("folder_form", None) or forms.FolderForm(),
        "max_bytes": actions.settings.PREAU_DOCUMENT_MAX_BYTES,
        **extra,
    }
    if folder is not None:
        context.update(_destinations(actor))
    if folder is not None and context["can_manage"]:
        context.update(_share_context(request, folder))
    return render(request, "documents/pages/folder.html", context)


@login_required
@never_cache
@require_http_methods(GET)
def space(request: ActorRequest, space_id: int) -> HttpResponse:
    return _browse(request, queries.access_space(request.actor, space_id), None)


@login_required
@never_cache
@require_http_methods(GET)
def folder(request: ActorRequest, folder_id: int) -> HttpResponse:
    f = queries.access_folder(request.actor, folder_id)
    return _browse(request, f.space, f)


def _destination(
    request: ActorRequest, space: Space, value: str | None
) -> tuple[Space, Folder | None]:
    """Where to move or copy, from the form's `to`: empty for the top of the item's own
    space, `space:<id>` for the top of another, `personal` for the top of one's own (created
    if need be), `folder:<id>` (or a bare id) for a folder. Unreadable targets answer 404;
    the action checks the right to add there."""
    if not value:
        return space, None
    if value == "personal":
        return actions.open_space(actor=request.actor, kind=Space.Kind.PERSONAL), None
    kind, _sep, ident = value.rpartition(":")
    if kind == "space":
        return queries.access_space(request.actor, _int(ident)), None
    if kind in {"", "folder"}:
        f = queries.access_folder(request.actor, _int(ident))
        return f.space, f
    raise Http404


def _destinations(actor: Any) -> dict[str, Any]:
    found = queries.destinations_for(actor)
    return {
        "destinations": found,
        "personal_missing": not any(d.space.kind == Space.Kind.PERSONAL for d in found),
    }


def _place(request: ActorRequest, space_id: int, value: str | None) -> tuple[Space, Folder | None]:
    """Where to add: a folder (readable, perhaps only through a share) of the space, or the
    top of the space (readable)."""
    if value:
        f = queries.access_folder(request.actor, _int(value))
        if f.space_id != space_id:
            raise Http404
        return f.space, f
    return queries.access_space(request.actor, space_id), None


@login_required
@require_POST
def upload(request: ActorRequest, space_id: int) -> HttpResponse:
    """One or several files into a folder: a plain form, or one XMLHttpRequest per file from
    documents/upload.js (answered in JSON, for the progress bars)."""
    actor = request.actor
    space, target = _place(request, space_id, request.POST.get("folder"))
    form = forms.UploadForm(request.POST, request.FILES)
    uploads = request.FILES.getlist("files")
    try:
        documents = actions.upload_documents(
            actor=actor, space=space, folder=target, uploads=uploads
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse(
                {"detail": " ".join(exc.messages), "code": actions.error_code(exc)}, status=400
            )
        form.is_valid()
        apply_errors(form, exc)
        return _browse(request, space, target, upload_form=form)
    if _wants_json(request):
        return JsonResponse({"ids": [d.pk for d in documents]}, status=201)
    messages.success(
        request,
        ngettext("%(count)d file added.", "%(count)d files added.", len(documents))
        % {"count": len(documents)},
    )
    return redirect(
        actions.item_url(target) if target else reverse("documents:space", args=[space.pk])
    )


@login_required
@require_POST
def new_folder(request: ActorRequest, space_id: int) -> HttpResponse:
    actor = request.actor
    space, parent = _place(request, space_id, request.POST.get("parent"))
    form = forms.FolderForm(request.POST)
    if form.is_valid():
        try:
            created = actions.create_folder(
                actor=actor, space=space, parent=parent, name=form.cleaned_data["name"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("documents:folder", created.pk)
    return _browse(request, space, parent, folder_form=form)


# --- a file -----------------------------------------------------------------------------------


def _share_context(
    request: ActorRequest, item: Folder | Document, form: Any = None
) -> dict[str, Any]:
    from preau.messaging.queries import addressable_audiences

    choices = [(c.key, c.label) for c in addressable_audiences(request.actor)]
    return {
        "share_form": form or forms.ShareForm(audience_choices=choices),
        "shares": list(queries.shares_of(item)),
        "chosen": [],
    }


def _document_page(
    request: ActorRequest, document: Document, status: int = 200, **extra: Any
) -> HttpResponse:
    actor = request.actor
    right = right_on(actor, document)
    context: dict[str, Any] = {
        "document": document,
        "space": document.space,
        "crumbs": _crumbs(
            actor, document.space, queries.ancestors_of(document.folder), current=document.name
        ),
        "versions": list(queries.versions_of(document)),
        "comments": list(queries.comments_of(document)),
        "inline_ok": is_inline_safe(document.content_type),
        "can_comment": right >= Right.COMMENT,
        "can_contribute": right >= Right.CONTRIBUTE,
        "can_edit": policy.can(actor, Perm.EDIT, document),
        "can_manage": right >= Right.MANAGE,
        "can_publish": policy.can(actor, Perm.PUBLISH, document),
        "comment_form": extra.pop("comment_form", None) or forms.CommentForm(),
        "rename_form": extra.pop("rename_form", None)
        or forms.RenameForm(initial={"name": document.name}),
        "version_form": extra.pop("version_form", None) or forms.VersionForm(),
        "link_form": extra.pop("link_form", None) or forms.PublicLinkForm(),
        **_destinations(actor),
        **extra,
    }
    if context["can_manage"]:
        context.update(_share_context(request, document, extra.get("share_form")))
        context["links"] = list(queries.public_links_of(document))
    return render(request, "documents/pages/document.html", context, status=status)


@login_required
@never_cache
@require_http_methods(GET)
def document(request: ActorRequest, document_id: int) -> HttpResponse:
    return _document_page(request, queries.access_document(request.actor, document_id))


@login_required
@require_http_methods(GET)
def download(request: ActorRequest, document_id: int) -> HttpResponseBase:
    document = queries.access_document(request.actor, document_id)
    version = document.current_version
    if request.GET.get("version"):
        version = queries.versions_of(document).filter(pk=_int(request.GET["version"])).first()
    if version is None:
        raise Http404
    return delivery.file_response(document, version)


@login_required
@xframe_options_sameorigin
@require_http_methods(GET)
def inline(request: ActorRequest, document_id: int) -> HttpResponseBase:
    """The current version shown in the page (only for types that cannot run)."""
    document = queries.access_document(request.actor, document_id)
    if document.current_version is None or not is_inline_safe(document.content_type):
        raise Http404
    return delivery.file_response(document, document.current_version, inline=True)


@login_required
@require_http_methods(GET)
def thumbnail(request: ActorRequest, document_id: int) -> HttpResponseBase:
    document = queries.access_document(request.actor, document_id)
    version = document.current_version
    if version is None or not version.thumbnail:
        raise Http404
    return download_response(
        version.thumbnail, name="thumbnail.png", content_type="image/png", as_attachment=False
    )


@login_required
@require_POST
def document_action(  # noqa: PLR0911, PLR0912 - one branch per verb
    request: ActorRequest, document_id: int, verb: str
) -> HttpResponse:
    actor = request.actor
    trashed = verb == "restore"
    document = queries.access_document(actor, document_id, trashed=trashed)
    back = redirect("documents:document", document.pk)
    try:
        if verb == "rename":
            form = forms.RenameForm(request.POST)
            if not form.is_valid():
                return _document_page(request, document, 400, rename_form=form)
            actions.rename_item(actor=actor, item=document, name=form.cleaned_data["name"])
        elif verb == "move":
            target, to = _destination(request, document.space, request.POST.get("to"))
            actions.move_item(actor=actor, item=document, to=to, space=target)
            messages.success(request, _("“%(name)s” is moved.") % {"name": document.name})
        elif verb == "copy":
            target, to = _destination(request, document.space, request.POST.get("to"))
            copy = actions.copy_document(actor=actor, document=document, space=target, folder=to)
            messages.success(request, _("Copy made."))
            return redirect("documents:document", copy.pk)
        elif verb == "version":
            version_form = forms.VersionForm(request.POST, request.FILES)
            if not version_form.is_valid():
                return _document_page(request, document, 400, version_form=version_form)
            actions.add_version(
                actor=actor, document=document, upload=version_form.cleaned_data["file"]
            )
        elif verb == "restore_version":
            version = (
                queries.versions_of(document).filter(pk=_int(request.POST.get("version"))).first()
            )
            if version is None:
                raise Http404
            actions.restore_version(actor=actor, document=document, version=version)
        elif verb == "trash":
            actions.trash_item(actor=actor, item=document)
            messages.success(request, _("“%(name)s” is in the trash.") % {"name": document.name})
            return redirect(
                actions.item_url(document.folder)
                if document.folder
                else reverse("documents:space", args=[document.space_id])
            )
        elif verb == "restore":
            actions.restore_item(actor=actor, item=document)
            return back
        elif verb == "comment":
            comment_form = forms.CommentForm(request.POST)
            if not comment_form.is_valid():
                return _document_page(request, document, 400, comment_form=comment_form)
            actions.add_comment(
                actor=actor, document=document, text=comment_form.cleaned_data["text"]
            )
        elif verb == "share":
            return _share(request, document)
        elif verb == "link":
            link_form = forms.PublicLinkForm(request.POST)
            if not link_form.is_valid():
                return _document_page(request, document, 400, link_form=link_form)
            actions.create_public_link(
                actor=actor, document=document, days=link_form.cleaned_data["days"]
            )
        else:
            raise Http404
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back


def _share(request: ActorRequest, item: Folder | Document) -> HttpResponse:
    from preau.messaging.actions import target_for_key
    from preau.messaging.queries import addressable_audiences

    actor = request.actor
    labels = {c.key: c.label for c in addressable_audiences(actor)}
    form = forms.ShareForm(request.POST, audience_choices=list(labels.items()))
    people = [_int(v) for v in request.POST.getlist("to")]
    if form.is_valid():
        try:
            targets = [
                (target_for_key(actor=actor, key=key), labels[key])
                for key in form.cleaned_data["audiences"]
            ]
            shares = actions.share_item(
                actor=actor,
                item=item,
                right=form.cleaned_data["right"],
                people=people,
                targets=targets,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Shared with %(count)d recipient.",
                    "Shared with %(count)d recipients.",
                    len(shares),
                )
                % {"count": len(shares)},
            )
            return redirect(actions.item_url(item))
    chosen = actions.people_chosen(actor, people)
    if isinstance(item, Document):
        return _document_page(request, item, 400, share_form=form, chosen=chosen)
    return _browse(request, item.space, item, share_form=form, chosen=chosen)


@login_required
@require_POST
def folder_action(request: ActorRequest, folder_id: int, verb: str) -> HttpResponse:
    actor = request.actor
    f = queries.access_folder(actor, folder_id, trashed=verb == "restore")
    try:
        if verb == "rename":
            form = forms.RenameForm(request.POST)
            if form.is_valid():
                actions.rename_item(actor=actor, item=f, name=form.cleaned_data["name"])
        elif verb == "move":
            target, to = _destination(request, f.space, request.POST.get("to"))
            actions.move_item(actor=actor, item=f, to=to, space=target)
            messages.success(request, _("“%(name)s” is moved.") % {"name": f.name})
        elif verb == "copy":
            target, to = _destination(request, f.space, request.POST.get("to"))
            copy = actions.copy_folder(actor=actor, folder=f, space=target, parent=to)
            messages.success(request, _("Copy made."))
            return redirect("documents:folder", copy.pk)
        elif verb == "trash":
            actions.trash_item(actor=actor, item=f)
            messages.success(request, _("“%(name)s” is in the trash.") % {"name": f.name})
            return redirect(
                actions.item_url(f.parent)
                if f.parent
                else reverse("documents:space", args=[f.space_id])
            )
        elif verb == "restore":
            actions.restore_item(actor=actor, item=f)
        elif verb == "share":
            return _share(request, f)
        else:
            raise Http404
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("documents:folder", f.pk)


@login_required
@require_http_methods(GET)
def folder_zip(request: ActorRequest, folder_id: int) -> HttpResponseBase:
    return delivery.zip_response(queries.access_folder(request.actor, folder_id))


@login_required
@require_POST
def revoke(request: ActorRequest, share_id: int) -> HttpResponse:
    share = queries.access_share(request.actor, share_id)
    item = share.folder or share.document
    assert item is not None
    actions.revoke_share(actor=request.actor, share=share)
    messages.success(request, _("Share removed."))
    return redirect(actions.item_url(item))


@login_required
@require_POST
def revoke_link(request: ActorRequest, link_id: int) -> HttpResponse:
    from preau.documents.models import PublicLink

    link = (
        PublicLink.objects.filter(tenant=request.actor.tenant, pk=link_id)
        .select_related("document__space", "document__folder")
        .first()
    )
    if link is None or not policy.can(request.actor, Perm.MANAGE, link.document):
        raise Http404
    document = link.document
    actions.revoke_public_link(actor=request.actor, link=link)
    return redirect("documents:document", document.pk)


# --- the trash ------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(GET)
def trash(request: ActorRequest, space_id: int) -> HttpResponse:
    actor = request.actor
    s = queries.access_space(actor, space_id)
    if right_on(actor, s) < Right.CONTRIBUTE:
        raise Http404
    folders, documents = queries.trash_of(s)
    return render(
        request,
        "documents/pages/trash.html",
        {
            "space": s,
            "folders": [f for f in folders if policy.can(actor, Perm.EDIT, f)],
            "documents": [d for d in documents if policy.can(actor, Perm.EDIT, d)],
            "can_empty": right_on(actor, s) >= Right.MANAGE,
            "crumbs": [
                (_("Documents"), reverse("documents:index")),
                (s.name, reverse("documents:space", args=[s.pk])),
                (_("Trash"), None),
            ],
            "days": actions.settings.PREAU_DOCUMENT_TRASH_DAYS,
        },
    )


@login_required
@require_POST
def empty_trash(request: ActorRequest, space_id: int) -> HttpResponse:
    s = queries.access_space(request.actor, space_id)
    try:
        count = actions.empty_trash(actor=request.actor, space=s)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        ngettext("%(count)d file deleted for good.", "%(count)d files deleted for good.", count)
        % {"count": count},
    )
    return redirect("documents:trash", s.pk)


# --- a school's quotas ------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(GET)
def quotas(request: ActorRequest) -> HttpResponse:
    """The schools whose quotas the actor sets."""
    actor = request.actor
    if not actor.is_operator and not actor.managed_school_ids:
        raise Http404
    try:
        page = queries.schools_managed(actor, after=request.GET.get("after"))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "documents/pages/quotas.html",
        {
            "page": page,
            "crumbs": [(_("Documents"), reverse("documents:index")), (_("Quotas"), None)],
        },
    )


def _quota_profiles(actor: Any) -> list[tuple[str, str, str]]:
    return [
        (str(code), str(label), filesizeformat(queries.tenant_quota(actor.tenant, code)))
        for code, label in Profile.choices
    ]


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def school_quotas(request: ActorRequest, school_id: int) -> HttpResponse:
    """A school's quota per profile, set by its management (overriding the territory's)."""
    actor = request.actor
    school = queries.access_managed_school(actor, school_id)
    initial: dict[str, Any] = {}
    for code, value in queries.school_quotas(school).items():
        initial[f"quota_{code}"], initial[f"unit_{code}"] = forms.in_unit(value)
    form = forms.SchoolQuotaForm(
        request.POST or None, initial=initial, profiles=_quota_profiles(actor)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_school_quotas(actor=actor, school=school, quotas=form.quotas())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The quotas of %(name)s are saved.") % {"name": school.name}
            )
            return redirect("documents:school_quotas", school.pk)
    return render(
        request,
        "documents/pages/school_quotas.html",
        {
            "school": school,
            "form": form,
            "crumbs": [
                (_("Documents"), reverse("documents:index")),
                (_("Quotas"), reverse("documents:quotas")),
                (school.name, None),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- public links ---------------------------------------------------------------------------


@require_http_methods(GET)
def public(request: PreauRequest, token: str) -> HttpResponseBase:
    """A public link: the file, to anyone holding the link, until it expires."""
    document = actions.public_document(tenant_id=request.tenant.pk, token=token[:64])
    if document is None or document.current_version is None:
        raise Http404
    return delivery.file_response(document, document.current_version)


__all__ = ["public_links_allowed"]
