from django.urls import path  # noqa: F401

app_name = "saml_console"
urlpatterns: list = []
