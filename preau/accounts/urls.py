from django.urls import path

from preau.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/revoke/", views.revoke_session, name="revoke_session"),
    path("sessions/log-out-others/", views.log_out_everywhere, name="log_out_everywhere"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("activate/", views.activate, name="activate"),
    path("terms/", views.terms, name="terms"),
    path("reset/", views.reset_request, name="reset"),
    path("reset/confirm/", views.reset_confirm, name="reset_confirm"),
]
