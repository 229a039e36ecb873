"""The project's urls plus stand-in pages for native apps not built yet (launcher tests)."""

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from config.urls import urlpatterns as project_urlpatterns

STUBBED = ("grades",)  # the native apps not built yet that the launcher tests use


def stub(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stub")


def _missing(namespace: str) -> bool:
    try:
        reverse(f"{namespace}:index", urlconf="config.urls")
    except NoReverseMatch:
        return True
    return False


urlpatterns: list[URLPattern | URLResolver] = [
    *project_urlpatterns,
    *(
        path(f"stub-{ns}/", include(([path("", stub, name="index")], ns)))
        for ns in STUBBED
        if _missing(ns)
    ),
]
