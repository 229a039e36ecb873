"""The operator's registry of OpenID Connect clients, mounted at /console/oidc/."""

from django.urls import path

from preau.sso.oidc import views

app_name = "oidc_console"
urlpatterns = [
    path("", views.clients, name="clients"),
    path("new", views.client_new, name="client_new"),
    path("<int:client_id>/", views.client_edit, name="client"),
    path("<int:client_id>/disable", views.client_disable, name="client_disable"),
    path("<int:client_id>/enable", views.client_enable, name="client_enable"),
    path("<int:client_id>/rotate-secret", views.client_rotate_secret, name="client_rotate_secret"),
]
