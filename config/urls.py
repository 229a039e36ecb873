from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from preau.core.views import floor
from preau.timeline import views as timeline_views

urlpatterns = [
    path("", include("preau.portal.urls")),
    path("accounts/", include("preau.accounts.urls")),
    path("console/oidc/", include("preau.sso.oidc.console_urls")),
    path("console/identity-providers/", include("preau.sso.saml.console_urls")),
    path("console/", include("preau.console.urls")),
    path("directory/", include("preau.directory.urls")),
    path("messages/", include("preau.messaging.urls")),
    path("documents/", include("preau.documents.urls")),
    path("timeline/", include("preau.timeline.urls")),
    path("sw.js", timeline_views.service_worker, name="service_worker"),
    path("news/", include("preau.news.urls")),
    path("timetable/", include("preau.timetable.urls")),
    path("homework/", include("preau.homework.urls")),
    path("cas/", include("preau.sso.cas.urls")),
    path("oidc/", include("preau.sso.oidc.urls")),
    path("saml/", include("preau.sso.saml.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("_floor/", floor, name="floor"),
]
