"""One-time codes, login attempts and the list of a person's sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel


class OneTimeCode(TenantModel):
    """An activation code (printed on a letter) or a password-reset code (sent by e-mail).

    Only a hash of the code is stored; a code is used once and expires.
    """

    class Purpose(models.TextChoices):
        ACTIVATION = "activation", _("Activation")
        RESET = "reset", _("Password reset")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes"
    )
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "purpose", "-created_at"])]


class LoginAttempt(TenantModel):
    """A failed login, counted per login name and per IP for lock-out."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    login = models.CharField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "login", "-at"]),
            models.Index(fields=["tenant", "ip", "-at"]),
        ]


class UserSession(TenantModel):
    """One of a person's open sessions, listed on their security page."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]


class ApiToken(TenantModel):
    """A personal token for the /api/v1/ endpoints (scripts, early mobile builds).

    Only the SHA-256 of the token is stored; the token is shown once when created.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    label = models.CharField(_("label"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
