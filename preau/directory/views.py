"""Directory pages and htmx partials. Views parse input and call queries; no rule lives here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from preau.core.http import ActorRequest
from preau.core.pagination import BadCursorError
from preau.directory.models import Profile
from preau.directory.queries import SEARCH_MAX_LENGTH, people_visible_to

PICKER_PAGE_SIZE = 20


@login_required
@require_GET
def people_search(request: ActorRequest) -> HttpResponse:
    """The people picker's results: `?q=` (words of a name), optional `profile`, `school`,
    and `after` (the cursor of the "more results" link). An htmx partial.

    The first page renders the whole listbox; a next page renders its options, appended to the
    list, and replaces the "more results" link out of band.
    """
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    after = request.GET.get("after") or None
    profile = request.GET.get("profile") or None
    school = request.GET.get("school") or None
    if profile is not None and profile not in Profile.values:
        return _bad_request(request, _("Unknown profile: choose one from the list."))
    if school is not None and not school.isdigit():
        return _bad_request(request, _("Unknown school: choose one from the list."))
    try:
        page = people_visible_to(
            request.actor,
            search=q,
            profile=profile,
            school_id=int(school) if school else None,
            after=after,
            limit=PICKER_PAGE_SIZE,
        )
    except BadCursorError:
        return _bad_request(
            request,
            _("These results are out of date or the link is damaged. Please search again."),
        )
    page.base_query = {
        key: value for key, value in (("q", q), ("profile", profile), ("school", school)) if value
    }
    more_url = reverse("directory:people_search") + page.next_url if page.next_url else None
    return render(
        request,
        "directory/partials/people_results.html",
        {"page": page, "q": q, "more_url": more_url, "is_next_page": after is not None},
    )


def _bad_request(request: ActorRequest, message: str) -> HttpResponse:
    return render(request, "directory/partials/error.html", {"message": message}, status=400)
