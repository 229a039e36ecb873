from django.urls import path

from preau.sso.saml import views

app_name = "saml"
urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("login/<int:provider_id>/", views.login, name="login"),
    path("acs/", views.acs, name="acs"),
    path("sls/", views.sls, name="sls"),
    path("link/", views.link, name="link"),
]
