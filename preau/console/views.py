"""The administration console: schools, people, classes, groups, rules, letters and audit.

Views parse forms and call the directory's and accounts' actions; every object comes from an
`access_*` query, so a school or a person the actor does not administer answers 404.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from preau.accounts import actions as accounts
from preau.console import forms
from preau.console import queries as q
from preau.console.pages import Crumb, console_crumbs
from preau.console.pdf import LetterContent, activation_letters_pdf
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.core.pagination import BadCursorError
from preau.directory import actions
from preau.directory.models import (
    ImportJob,
    Level,
    Person,
    Profile,
    School,
    SchoolYear,
)
from preau.directory.permissions import Perm as DirectoryPerm
from preau.directory.permissions import administered_schools
from preau.directory.permissions import policy as directory_policy
from preau.portal.models import ConnectedApp
from preau.sso.cas import actions as cas_actions
from preau.sso.cas import queries as cas_queries
from preau.sso.cas.permissions import Perm as CasPerm
from preau.sso.cas.permissions import policy as cas_policy

# --- helpers -----------------------------------------------------------------------------------


def _crumbs(school: School | None = None, *rest: Crumb) -> list[Crumb]:
    if school is None:
        return console_crumbs(*rest)
    return console_crumbs((school.name, reverse("console:school", args=[school.pk])), *rest)


def _query(request: ActorRequest, *names: str) -> dict[str, str]:
    """The non-empty filters of the request, to carry into the pager's links."""
    return {n: request.GET[n] for n in (*names, "after") if request.GET.get(n)}


def _levels(school: School) -> QuerySet[Level]:
    return Level.objects.filter(tenant_id=school.tenant_id).order_by("code")


def _activation_url(request: ActorRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:activate"))


def _no_store(response: HttpResponse) -> HttpResponse:
    """A page showing a secret (an activation code) is never cached."""
    response["Cache-Control"] = "no-store"
    return response


def _school_and_year(request: ActorRequest, school_id: int) -> tuple[School, SchoolYear | None]:
    actor = request.actor
    return q.access_school(actor, school_id), q.open_year(actor)


# --- schools -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def index(request: ActorRequest) -> HttpResponse:
    """The schools the actor administers, with their counts."""
    actor = request.actor
    q.require_console(actor)
    form = forms.SchoolSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    try:
        page = q.schools_page(
            actor,
            year=q.open_year(actor),
            search=search,
            after=request.GET.get("after"),
            base_query=_query(request, "q"),
        )
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "console/pages/index.html",
        {
            "form": form,
            "page": page,
            "search": search,
            "can_create_school": directory_policy.can(actor, DirectoryPerm.CREATE_SCHOOL),
            "can_manage_apps": cas_policy.can(actor, CasPerm.MANAGE_SERVICES),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def school(request: ActorRequest, school_id: int) -> HttpResponse:
    actor = request.actor
    year = q.open_year(actor)
    obj = q.access_school(actor, school_id, year=year)
    return render(
        request,
        "console/pages/school.html",
        {"school": obj, "year": year, "crumbs": _crumbs(obj)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_new(request: ActorRequest) -> HttpResponse:
    """Create a school: the operator, or an authority administrator under their authorities."""
    actor = request.actor
    q.require_school_creation(actor)
    choices = q.attachable_authorities(actor)
    initial: dict[str, Any] = {}
    if not actor.is_operator and len(actor.admin_authority_ids) == 1:
        initial["authorities"] = list(actor.admin_authority_ids)
    form = forms.SchoolForm(
        request.POST or None,
        initial=initial,
        authorities=choices,
        must_choose=not actor.is_operator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.create_school(
                actor=actor,
                uai=data["uai"],
                name=data["name"],
                kind=data["kind"],
                sector=data["sector"],
                city=data["city"],
                authorities=form.chosen_authorities(),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The school %(name)s was created.") % {"name": created})
            return redirect("console:school", created.pk)
    return render(
        request,
        "console/pages/school_form.html",
        {
            "form": form,
            "title": _("New school"),
            "cancel_url": reverse("console:index"),
            "crumbs": _crumbs(None, (_("New school"), None)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_edit(request: ActorRequest, school_id: int) -> HttpResponse:
    """Change a school. A school administrator changes its name and city only; the operator
    and the school's authority administrators also its UAI, kind, sector and authorities."""
    actor = request.actor
    obj = q.access_school(actor, school_id)
    current = q.school_authorities(obj)
    identity = directory_policy.can(actor, DirectoryPerm.CHANGE_SCHOOL_IDENTITY, obj)
    form = forms.SchoolForm(
        request.POST or None,
        initial={
            "uai": obj.uai,
            "name": obj.name,
            "kind": obj.kind,
            "sector": obj.sector,
            "city": obj.city,
            "authorities": [a.pk for a in current],
        },
        authorities=q.attachable_authorities(actor),
        identity=identity,
        # An authority administrator ticks their own authorities; the school's others stay.
        kept=[]
        if actor.is_operator
        else [a for a in current if a.pk not in actor.admin_authority_ids],
        must_choose=identity and not actor.is_operator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_school(
                actor=actor,
                school=obj,
                uai=data["uai"] if identity else obj.uai,
                name=data["name"],
                kind=data["kind"] if identity else obj.kind,
                sector=data["sector"] if identity else obj.sector,
                city=data["city"],
                authorities=form.chosen_authorities() if identity else current,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("console:school", obj.pk)
    return render(
        request,
        "console/pages/school_form.html",
        {
            "school": obj,
            "form": form,
            "identity": identity,
            "title": _("Edit %(name)s") % {"name": obj.name},
            "cancel_url": reverse("console:school", args=[obj.pk]),
            "crumbs": _crumbs(obj, (_("Edit"), None)),
        },
        status=400 if form.errors else 200,
    )


# --- people ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def people(request: ActorRequest, school_id: int) -> HttpResponse:
    school, year = _school_and_year(request, school_id)
    classes = q.classes_of(school, year)
    form = forms.PeopleFilterForm(request.GET or None, classes=classes)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # invalid filters are shown as errors and ignored
        filters = {
            "search": form.cleaned_data.get("q") or "",
            "profile": form.cleaned_data.get("profile") or "",
            "school_class": form.cleaned_data.get("school_class"),
        }
    try:
        page = q.people_page(
            school,
            year,
            after=request.GET.get("after"),
            base_query=_query(request, "q", "profile", "school_class"),
            **filters,
        )
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "console/pages/people.html",
        {
            "school": school,
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "crumbs": _crumbs(school, (_("People"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_new(request: ActorRequest, school_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    classes = q.classes_of(school, year)
    form = forms.PersonForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.create_person(
                actor=actor,
                school=school,
                first_name=data["first_name"],
                last_name=data["last_name"],
                profile=data["profile"],
                email=data["email"],
                birth_date=data["birth_date"],
                school_class=data["school_class"],
                functions=data["functions"],
                login=data["login"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was created with the login name %(login)s.")
                % {"name": person.full_name, "login": person.login},
            )
            return redirect("console:person", school.pk, person.pk)
    people_url = reverse("console:people", args=[school.pk])
    return render(
        request,
        "console/pages/person_form.html",
        {
            "school": school,
            "form": form,
            "title": _("New person"),
            "cancel_url": people_url,
            "crumbs": _crumbs(school, (_("People"), people_url), (_("New person"), None)),
        },
        status=400 if form.errors else 200,
    )


def _person_page(
    request: ActorRequest,
    school: School,
    year: SchoolYear | None,
    person: Person,
    *,
    block_form: forms.BlockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    people_url = reverse("console:people", args=[school.pk])
    return render(
        request,
        "console/pages/person.html",
        {
            "school": school,
            "person": person,
            "details": q.person_details(school, year, person),
            "block_form": block_form or forms.BlockForm(),
            "crumbs": _crumbs(school, (_("People"), people_url), (person.full_name, None)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def person(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    school, year = _school_and_year(request, school_id)
    member = q.access_member(request.actor, school, person_id)
    return _person_page(request, school, year, member)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    member = q.access_member(actor, school, person_id)
    details = q.person_details(school, year, member)
    pupil, staff = details.pupil_membership, details.staff_membership
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "birth_date": member.birth_date,
        "login": member.login,
        "school_class": pupil.school_class_id if pupil else None,
        "functions": list(staff.functions) if staff else [],
    }
    form = forms.PersonEditForm(
        request.POST or None,
        initial=initial,
        classes=q.classes_of(school, year),
        is_pupil=pupil is not None,
        is_staff=staff is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_person(
                actor=actor,
                school=school,
                person=member,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                birth_date=data["birth_date"],
                login=data["login"],
                school_class=data.get("school_class"),
                functions=data["functions"] if "functions" in form.fields else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("console:person", school.pk, member.pk)
    person_url = reverse("console:person", args=[school.pk, member.pk])
    return render(
        request,
        "console/pages/person_form.html",
        {
            "school": school,
            "form": form,
            "title": _("Edit %(name)s") % {"name": member.full_name},
            "cancel_url": person_url,
            "crumbs": _crumbs(
                school,
                (_("People"), reverse("console:people", args=[school.pk])),
                (member.full_name, person_url),
                (_("Edit"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_block(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    member = q.access_member(actor, school, person_id)
    form = forms.BlockForm(request.POST)
    if not form.is_valid():
        return _person_page(request, school, year, member, block_form=form, status=400)
    try:
        accounts.block_person(
            actor=actor.with_school(school), person=member, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        return _person_page(request, school, year, member, block_form=form, status=400)
    messages.success(request, _("%(name)s is blocked.") % {"name": member.full_name})
    return redirect("console:person", school.pk, member.pk)


@login_required
@require_POST
def person_unblock(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    actor = request.actor
    school = q.access_school(actor, school_id)
    member = q.access_member(actor, school, person_id)
    try:
        accounts.unblock_person(actor=actor.with_school(school), person=member)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("%(name)s is no longer blocked.") % {"name": member.full_name})
    return redirect("console:person", school.pk, member.pk)


def _code_page(
    request: ActorRequest, school: School, year: SchoolYear | None, member: Person, code: str
) -> HttpResponse:
    """Show a fresh code once, with its letter as a PDF built now (the code is never stored)."""
    details = q.person_details(school, year, member)
    pupil = details.pupil_membership
    class_name = pupil.school_class.name if pupil and pupil.school_class else ""
    activation_url = _activation_url(request)
    pdf = activation_letters_pdf(
        tenant=request.actor.tenant,
        school=school,
        letters=[
            LetterContent(
                person=member,
                code=code,
                class_name=class_name,
                children=[link.pupil.full_name for link in details.children],
            )
        ],
        activation_url=activation_url,
    )
    person_url = reverse("console:person", args=[school.pk, member.pk])
    return _no_store(
        render(
            request,
            "console/pages/code.html",
            {
                "school": school,
                "person": member,
                "code": code,
                "activation_url": activation_url,
                "pdf_data_url": "data:application/pdf;base64," + base64.b64encode(pdf).decode(),
                "pdf_name": f"code-{member.login}.pdf",
                "crumbs": _crumbs(
                    school,
                    (_("People"), reverse("console:people", args=[school.pk])),
                    (member.full_name, person_url),
                    (_("Activation code"), None),
                ),
            },
        )
    )


@login_required
@require_POST
def person_reset_password(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    member = q.access_member(actor, school, person_id)
    try:
        code = accounts.reset_password(actor=actor.with_school(school), person=member)
    except PermissionDenied as exc:
        raise Http404 from exc
    return _code_page(request, school, year, member, code)


@login_required
@require_POST
def person_activation_code(request: ActorRequest, school_id: int, person_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    member = q.access_member(actor, school, person_id)
    try:
        ((_person, code),) = accounts.issue_activation_codes(
            actor=actor.with_school(school), people=[member]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    return _code_page(request, school, year, member, code)


# --- classes -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def classes(request: ActorRequest, school_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    form = forms.ClassForm(request.POST or None, levels=_levels(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.create_class(
                actor=actor,
                school=school,
                code=data["code"],
                name=data["name"],
                level=data["level"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The class %(name)s was created.") % {"name": created})
            return redirect("console:class", school.pk, created.pk)
    return render(
        request,
        "console/pages/classes.html",
        {
            "school": school,
            "year": year,
            "classes": q.classes_of(school, year),
            "form": form,
            "crumbs": _crumbs(school, (_("Classes"), None)),
        },
        status=400 if form.errors else 200,
    )


def _people_buckets(rows: Sequence[Any], selected: set[str], *, first_key: str) -> list[q.Bucket]:
    """Group memberships into fieldsets: `first_key` first, then by class, then by profile."""
    buckets: dict[str, q.Bucket] = {}
    profiles = dict(Profile.choices)
    for m in rows:
        if m.profile == Profile.PUPIL:
            key = f"class-{m.school_class_id}" if m.school_class_id else "no-class"
            label = m.school_class.name if m.school_class else _("Pupils without a class")
        else:
            key, label = f"profile-{m.profile}", str(profiles[m.profile])
        bucket = buckets.setdefault(key, q.Bucket(key, label, []))
        if all(p.pk != m.person.pk for p in bucket.people):
            bucket.people.append(m.person)
        if str(m.person.pk) in selected:
            bucket.open = True
    ordered = sorted(
        buckets.values(),
        key=lambda b: (b.key != first_key, b.key.startswith("profile-"), b.key != "no-class"),
    )
    for b in ordered[:1]:
        b.open = True
    return ordered


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_class(request: ActorRequest, school_id: int, class_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    obj = q.access_class(actor, school, class_id)
    saving_pupils = request.method == "POST" and "save_pupils" in request.POST
    saving_details = request.method == "POST" and not saving_pupils
    form = forms.ClassForm(
        request.POST if saving_details else None,
        initial={"code": obj.code, "name": obj.name, "level": obj.level_id},
        levels=_levels(school),
    )
    pupils_form = forms.ClassPupilsForm(
        request.POST if saving_pupils else None,
        initial={"pupils": sorted(q.class_pupil_ids(obj))},
        people=q.pupils_of_school(school, year),
    )
    if saving_details and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_class(
                actor=actor,
                school_class=obj,
                code=data["code"],
                name=data["name"],
                level=data["level"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The class was saved."))
            return redirect("console:class", school.pk, obj.pk)
    if saving_pupils and pupils_form.is_valid():
        try:
            joined, left = actions.set_class_pupils(
                actor=actor, school_class=obj, pupils=pupils_form.cleaned_data["pupils"]
            )
        except ValidationError as exc:
            apply_errors(pupils_form, exc)
        else:
            messages.success(request, _moved_message(joined, left))
            return redirect("console:class", school.pk, obj.pk)
    selected = pupils_form.selected_ids()
    classes_url = reverse("console:classes", args=[school.pk])
    return render(
        request,
        "console/pages/class.html",
        {
            "school": school,
            "school_class": obj,
            "form": form,
            "pupils_form": pupils_form,
            "selected": selected,
            "buckets": _people_buckets(
                q.member_rows(school, year, profiles=(Profile.PUPIL,)),
                selected,
                first_key=f"class-{obj.pk}",
            ),
            "crumbs": _crumbs(school, (_("Classes"), classes_url), (obj.name, None)),
        },
        status=400 if form.errors or pupils_form.errors else 200,
    )


def _moved_message(joined: int, left: int) -> str:
    return _("%(joined)s and %(left)s.") % {
        "joined": ngettext("%(n)d person added", "%(n)d people added", joined) % {"n": joined},
        "left": ngettext("%(n)d person removed", "%(n)d people removed", left) % {"n": left},
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def letters(request: ActorRequest, school_id: int, class_id: int) -> HttpResponse:
    """Confirm before printing: printing issues new codes and voids the previous ones."""
    actor = request.actor
    school = q.access_school(actor, school_id)
    obj = q.access_class(actor, school, class_id)
    recipients = q.letter_recipients(actor, obj, guardians=True)
    return render(
        request,
        "console/pages/letters.html",
        {
            "school": school,
            "school_class": obj,
            "form": forms.LettersForm(),
            "pupil_count": sum(1 for r in recipients if r.role == "pupil"),
            "guardian_count": sum(1 for r in recipients if r.role == "guardian"),
            "crumbs": _crumbs(
                school,
                (_("Classes"), reverse("console:classes", args=[school.pk])),
                (obj.name, reverse("console:class", args=[school.pk, obj.pk])),
                (_("Activation letters"), None),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def letters_pdf(request: ActorRequest, school_id: int, class_id: int) -> HttpResponse:
    """Issue fresh codes for the class's pupils not yet activated (and their guardians) and
    answer one PDF with a letter per page."""
    actor = request.actor
    school = q.access_school(actor, school_id)
    obj = q.access_class(actor, school, class_id)
    if request.method != "POST":
        return redirect("console:letters", school.pk, obj.pk)
    form = forms.LettersForm(request.POST)
    with_guardians = form.is_valid() and form.cleaned_data["guardians"]
    recipients = q.letter_recipients(actor, obj, guardians=with_guardians)
    if not recipients:
        messages.info(
            request, _("Everyone in this class has already activated their account: no letter.")
        )
        return redirect("console:letters", school.pk, obj.pk)
    try:
        codes = {
            p.pk: code
            for p, code in accounts.issue_activation_codes(
                actor=actor.with_school(school), people=[r.person for r in recipients]
            )
        }
    except PermissionDenied as exc:
        raise Http404 from exc
    pdf = activation_letters_pdf(
        tenant=actor.tenant,
        school=school,
        letters=[
            LetterContent(
                person=r.person,
                code=codes[r.person.pk],
                class_name=obj.name,
                children=[child.full_name for child in r.children],
            )
            for r in recipients
        ],
        activation_url=_activation_url(request),
        title=_("Activation letters — %(name)s") % {"name": obj.name},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    safe_code = "".join(c if c.isalnum() or c in "-_" else "-" for c in obj.code)
    response["Content-Disposition"] = f'attachment; filename="codes-{safe_code}.pdf"'
    return _no_store(response)


# --- groups ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def groups(request: ActorRequest, school_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    form = forms.GroupForm(request.POST or None, classes=q.classes_of(school, year))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.create_group(
                actor=actor,
                school=school,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                classes=list(data["classes"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The group %(name)s was created.") % {"name": created})
            return redirect("console:group", school.pk, created.pk)
    return render(
        request,
        "console/pages/groups.html",
        {
            "school": school,
            "groups": q.groups_of(school, year),
            "form": form,
            "crumbs": _crumbs(school, (_("Groups"), None)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group(request: ActorRequest, school_id: int, group_id: int) -> HttpResponse:
    actor = request.actor
    school, year = _school_and_year(request, school_id)
    obj = q.access_group(actor, school, group_id)
    saving_members = request.method == "POST" and "save_members" in request.POST
    saving_details = request.method == "POST" and not saving_members
    form = forms.GroupForm(
        request.POST if saving_details else None,
        initial={
            "code": obj.code,
            "name": obj.name,
            "kind": obj.kind,
            "classes": [c.pk for c in obj.classes.all()],
        },
        classes=q.classes_of(school, year),
    )
    members_form = forms.GroupMembersForm(
        request.POST if saving_members else None,
        initial={"members": sorted(q.group_member_ids(obj))},
        people=q.members_of_school(school, year),
    )
    if saving_details and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_group(
                actor=actor,
                group=obj,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                classes=list(data["classes"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The group was saved."))
            return redirect("console:group", school.pk, obj.pk)
    if saving_members and members_form.is_valid():
        try:
            joined, left = actions.set_group_members(
                actor=actor, group=obj, people=members_form.cleaned_data["members"]
            )
        except ValidationError as exc:
            apply_errors(members_form, exc)
        else:
            messages.success(request, _moved_message(joined, left))
            return redirect("console:group", school.pk, obj.pk)
    selected = members_form.selected_ids()
    return render(
        request,
        "console/pages/group.html",
        {
            "school": school,
            "group": obj,
            "form": form,
            "members_form": members_form,
            "selected": selected,
            "buckets": _people_buckets(
                q.member_rows(school, year, profiles=tuple(Profile.values)),
                selected,
                first_key="profile-teacher",
            ),
            "crumbs": _crumbs(
                school,
                (_("Groups"), reverse("console:groups", args=[school.pk])),
                (obj.name, None),
            ),
        },
        status=400 if form.errors or members_form.errors else 200,
    )


# --- communication rules -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def communication(request: ActorRequest, school_id: int) -> HttpResponse:
    from preau.directory.communication import effective_rules

    actor = request.actor
    school = q.access_school(actor, school_id)
    form = forms.CommunicationForm(request.POST or None, initial=effective_rules(school))
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_communication_rules(actor=actor, school=school, rules=form.rules())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The communication rules were saved."))
            return HttpResponseRedirect(reverse("console:communication", args=[school.pk]))
    return render(
        request,
        "console/pages/communication.html",
        {
            "school": school,
            "form": form,
            "crumbs": _crumbs(school, (_("Communication rules"), None)),
        },
    )


# --- audit -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def audit(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    q.require_console(actor)
    form = forms.AuditFilterForm(request.GET or None, schools=q.schools_for_filter(actor))
    action, school = "", None
    if form.is_bound:
        form.is_valid()
        action = form.cleaned_data.get("action") or ""
        school = form.cleaned_data.get("school")
    try:
        page = q.audit_page(
            actor,
            action=action,
            school=school,
            after=request.GET.get("after"),
            base_query=_query(request, "action", "school"),
        )
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "console/pages/audit.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(action or school),
            "crumbs": _crumbs(None, (_("Audit log"), None)),
        },
    )


# --- imports -------------------------------------------------------------------------------------


def _import_crumbs(*rest: tuple[str, str | None]) -> list[Any]:
    return _crumbs(None, (_("Imports"), reverse("console:imports")), *rest)


def _uploaded(form: Any) -> list[tuple[str, Any]]:
    return [(f.name, f) for f in form.cleaned_data["uploads"]]


@login_required
@require_http_methods(["GET", "HEAD"])
def imports(request: ActorRequest) -> HttpResponse:
    """Every import the actor may see, newest first."""
    actor = request.actor
    q.require_console(actor)
    schools = q.schools_for_filter(actor)
    chosen = request.GET.get("school", "")
    if chosen.isdigit() and schools.filter(pk=int(chosen)).exists():
        return redirect("console:school_import", int(chosen))
    try:
        page = q.imports_page(actor, after=request.GET.get("after"), base_query=_query(request))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "console/pages/imports.html",
        {
            "page": page,
            "can_import_aaf": directory_policy.can(actor, DirectoryPerm.IMPORT_AAF),
            "schools": schools,
            "crumbs": _crumbs(None, (_("Imports"), None)),
        },
    )


def _start(request: ActorRequest, form: Any, *, school: School | None, **kw: Any) -> Any:
    try:
        job = actions.start_import(actor=request.actor, files=_uploaded(form), school=school, **kw)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "files" in exc.error_dict:
            exc.error_dict["uploads"] = exc.error_dict.pop("files")
        apply_errors(form, exc)
        return None
    return redirect("console:import", job.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_aaf(request: ActorRequest) -> HttpResponse:
    """Upload an AAF set (operator, authority administrators): previewed at once."""
    actor = request.actor
    if not directory_policy.can(actor, DirectoryPerm.IMPORT_AAF):
        raise Http404
    form = forms.AafImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = _start(
            request, form, school=None, format="aaf", complete=form.cleaned_data["complete"]
        )
        if done is not None:
            return done
    return render(
        request,
        "console/pages/import_new.html",
        {
            "form": form,
            "school": None,
            "crumbs": _import_crumbs((_("AAF import"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_import(request: ActorRequest, school_id: int) -> HttpResponse:
    """Upload SIECLE, STS-Web or CSV files for one school: previewed at once."""
    school, _year = _school_and_year(request, school_id)
    form = forms.SchoolImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _start(
            request,
            form,
            school=school,
            format=data["format"],
            profile=data["profile"] if data["format"] == "csv" else "",
        )
        if done is not None:
            return done
    return render(
        request,
        "console/pages/import_new.html",
        {
            "form": form,
            "school": school,
            "templates": CSV_TEMPLATE_PROFILES,
            "crumbs": _crumbs(school, (_("Import"), None)),
        },
    )


CSV_TEMPLATE_PROFILES = [
    (Profile.PUPIL, _("pupils")),
    (Profile.GUARDIAN, _("guardians")),
    (Profile.TEACHER, _("teachers")),
    (Profile.STAFF, _("staff")),
]


@login_required
@require_http_methods(["GET", "HEAD"])
def csv_template(request: ActorRequest, profile: str) -> HttpResponse:
    """The CSV template of a profile, with a BOM so that spreadsheets read the accents."""
    from preau.directory.feeds.csvfeed import TEMPLATE_PROFILES, template

    q.require_console(request.actor)
    if profile not in TEMPLATE_PROFILES:
        raise Http404
    response = HttpResponse(
        ("\ufeff" + template(profile)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="modele-{profile}.csv"'
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def import_detail(request: ActorRequest, job_id: int) -> HttpResponse:
    """A job: its progress while it runs, then its report — counts, errors, every change."""
    from preau.directory.feeds.run import progress_of

    job = q.access_import(request.actor, job_id)
    summary = job.summary or {}
    changes = summary.get("changes", {})
    actions_seen = sorted({a for counts in changes.values() for a in counts})
    form = forms.ImportChangesFilterForm(
        request.GET or None, kinds=sorted(changes), actions=actions_seen
    )
    kind = action = ""
    if form.is_bound and form.is_valid():
        kind, action = form.cleaned_data["kind"], form.cleaned_data["action"]
    try:
        page = q.import_changes_page(
            job,
            kind=kind,
            action=action,
            after=request.GET.get("after"),
            base_query=_query(request, "kind", "action"),
        )
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    rows = [
        (kind_, [(a, counts.get(a, 0)) for a in actions_seen], sum(counts.values()))
        for kind_, counts in changes.items()
    ]
    can_apply = job.status == ImportJob.Status.PREVIEWED and summary.get("total", 0) > 0
    return render(
        request,
        "console/pages/import.html",
        {
            "job": job,
            "summary": summary,
            "rows": rows,
            "actions_seen": actions_seen,
            "peak": max((total for _k, _c, total in rows), default=0),
            "errors": [e for e in job.errors if not e.get("warning")],
            "warnings": [e for e in job.errors if e.get("warning")],
            "progress": progress_of(job),
            "page": page,
            "form": form,
            "filtered": bool(kind or action),
            "can_apply": can_apply and not summary.get("error_count"),
            "can_apply_valid": can_apply
            and bool(summary.get("error_count"))
            and job.format == ImportJob.Format.CSV,
            "crumbs": _import_crumbs((str(job), None)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def import_progress(request: ActorRequest, job_id: int) -> HttpResponse:
    """The progress bar (htmx, polled while the job runs); reloads the page once it is done."""
    from preau.directory.feeds.run import progress_of

    job = q.access_import(request.actor, job_id)
    response = render(
        request,
        "console/partials/import_progress.html",
        {"job": job, "progress": progress_of(job)},
    )
    if not job.is_running and job.status != ImportJob.Status.PENDING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_run(request: ActorRequest, job_id: int) -> HttpResponse:
    """Apply a previewed job (`apply`), or start again the preview of a waiting one."""
    job = q.access_import(request.actor, job_id)
    try:
        if request.POST.get("apply"):
            actions.apply_import(
                actor=request.actor, job=job, skip_invalid=bool(request.POST.get("skip_invalid"))
            )
        else:
            actions.preview_import(actor=request.actor, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect("console:import", job.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def import_report(request: ActorRequest, job_id: int) -> StreamingHttpResponse:
    """The whole report as CSV (`;`, UTF-8 with BOM), streamed line by line."""
    from preau.console.templatetags.console_tags import (
        change_action,
        change_details,
        change_kind,
    )

    job = q.access_import(request.actor, job_id)

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow([_("What"), _("Change"), _("Join key"), _("Name"), _("Details")])
        for error in job.errors:
            where = error["file"] + (f":{error['line']}" if error.get("line") else "")
            writer.writerow([_("Error"), "", where, "", error["message"]])
        yield "\ufeff" + out.getvalue()
        for change in q.import_change_lines(job):
            out.seek(0)
            out.truncate()
            details = " ; ".join(f"{k}: {v}" for k, v in change_details(change.details))
            writer.writerow(
                [
                    change_kind(change.kind),
                    change_action(change.action),
                    change.key,
                    change.label,
                    details,
                ]
            )
            yield out.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}.csv"'
    return response


# --- duplicates and the school year --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def duplicates(request: ActorRequest, school_id: int) -> HttpResponse:
    """People typed by hand whom a feed brought again: merge them, or say they differ."""
    from preau.directory.queries import duplicates_of_school

    school, _year = _school_and_year(request, school_id)
    return render(
        request,
        "console/pages/duplicates.html",
        {
            "school": school,
            "candidates": list(duplicates_of_school(request.actor, school)),
            "crumbs": _crumbs(school, (_("Possible duplicates"), None)),
        },
    )


@login_required
@require_POST
def duplicate_resolve(request: ActorRequest, school_id: int, candidate_id: int) -> HttpResponse:
    """Merge (`merge`) or dismiss a possible duplicate of the school."""
    from preau.directory.queries import access_duplicate

    school, _year = _school_and_year(request, school_id)
    candidate = access_duplicate(request.actor, candidate_id)
    if candidate.school_id != school.pk:
        raise Http404
    try:
        if request.POST.get("merge"):
            kept = actions.merge_duplicate(actor=request.actor, candidate=candidate)
            messages.success(
                request,
                _("%(name)s: the two accounts are now one (login %(login)s).")
                % {"name": kept.full_name, "login": kept.login},
            )
        else:
            actions.dismiss_duplicate(actor=request.actor, candidate=candidate)
            messages.success(request, _("Marked as two different people."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("console:duplicates", school.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_years(request: ActorRequest) -> HttpResponse:
    """The tenant's school years, and opening the next one (the operator)."""
    actor = request.actor
    if not directory_policy.can(actor, DirectoryPerm.OPEN_SCHOOL_YEAR):
        raise Http404
    years = list(q.school_years(actor))
    current = next((y for y in years if y.is_current), None)
    suggested = (
        (current.start_year + 1) if current else SchoolYear.start_year_for(timezone.localdate())
    )
    form = forms.OpenSchoolYearForm(request.POST or None, initial={"start_year": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            year = actions.open_school_year(actor=actor, start_year=form.cleaned_data["start_year"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The school year %(year)s is open: import its feeds to fill its classes.")
                % {"year": year},
            )
            return redirect("console:school_years")
    return render(
        request,
        "console/pages/school_years.html",
        {
            "years": years,
            "current": current,
            "form": form,
            "crumbs": _crumbs(None, (_("School years"), None)),
        },
    )


# --- connected apps (the CAS service registry) ----------------------------------------------


def _require_registry(actor: Any) -> None:
    if not cas_policy.can(actor, CasPerm.MANAGE_SERVICES):
        raise Http404


@login_required
@require_http_methods(["GET", "HEAD"])
def services(request: ActorRequest) -> HttpResponse:
    """The connected apps the actor may change: all for the operator, those of their schools
    for an authority or school administrator."""
    actor = request.actor
    _require_registry(actor)
    try:
        page = cas_queries.registry_page(actor, after=request.GET.get("after"))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "console/pages/services.html",
        {"page": page, "crumbs": _crumbs(None, (_("Connected apps"), None))},
    )


def _service_form(request: ActorRequest, app: ConnectedApp | None) -> HttpResponse:
    actor = request.actor
    created = app is None
    form = forms.ConnectedAppForm(
        request.POST or None,
        instance=app or ConnectedApp(tenant=actor.tenant),
        schools=administered_schools(actor).order_by("name"),
        must_choose=not actor.is_operator,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = cas_actions.save_connected_app(
                actor=actor,
                app=form.save(commit=False),
                schools=list(form.cleaned_data["schools"]),
                created=created,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("console:services")
    title = _("New connected app") if created else str(app)
    return render(
        request,
        "console/pages/service_form.html",
        {
            "form": form,
            "title": title,
            "app": app,
            "crumbs": _crumbs(
                None, (_("Connected apps"), reverse("console:services")), (title, None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service_new(request: ActorRequest) -> HttpResponse:
    _require_registry(request.actor)
    return _service_form(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service(request: ActorRequest, app_id: int) -> HttpResponse:
    _require_registry(request.actor)
    return _service_form(request, cas_queries.access_connected_app(request.actor, app_id))
