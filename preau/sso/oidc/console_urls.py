from django.urls import path  # noqa: F401

app_name = "oidc_console"
urlpatterns: list = []
