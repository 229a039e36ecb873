"""The OpenID Connect provider, mounted at /oidc/: the issuer is https://<host>/oidc."""

from django.urls import path
from oauth2_provider import views as dot

from preau.sso.oidc import views

app_name = "oidc"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks"),
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("token/", dot.TokenView.as_view(), name="token"),
    path("userinfo/", dot.UserInfoView.as_view(), name="userinfo"),
    path("revoke/", dot.RevokeTokenView.as_view(), name="revoke"),
    path("authorized/", views.authorizations, name="authorizations"),
    path(
        "authorized/<int:client_id>/revoke",
        views.revoke_authorization,
        name="revoke_authorization",
    ),
]
