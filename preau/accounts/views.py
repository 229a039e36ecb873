"""Scaffolding: replaced by the accounts' real views."""

from django.http import Http404, HttpRequest, HttpResponse


def login(request: HttpRequest) -> HttpResponse:
    raise Http404


logout = sessions = login
