"""Scaffolding: replaced by the portal's real views."""

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    raise Http404


profile = avatar = switch_school = home
