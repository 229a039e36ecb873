"""Scaffolding: replaced by the directory's real views."""

from django.http import Http404, HttpRequest, HttpResponse


def people_search(request: HttpRequest) -> HttpResponse:
    raise Http404
