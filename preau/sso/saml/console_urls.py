from django.urls import path

from preau.sso.saml import console_views as views

app_name = "saml_console"
urlpatterns = [
    path("", views.providers, name="providers"),
    path("new", views.provider_new, name="provider_new"),
    path("<int:provider_id>/", views.provider_edit, name="provider"),
    path("<int:provider_id>/enable", views.provider_enable, name="provider_enable"),
    path("<int:provider_id>/disable", views.provider_disable, name="provider_disable"),
]
