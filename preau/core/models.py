"""Tenancy, audit log and stored notifications: what every other app stands on."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class Tenant(models.Model):
    """One territorial ENT project: a region, a département or an académie's schools."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), unique=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    logo = models.ImageField(_("logo"), upload_to="tenants/", blank=True)
    # Catalogue keys (STANDARDS.md service labels) enabled for the whole tenant.
    enabled_apps = models.JSONField(_("enabled apps"), default=list, blank=True)
    # Free-form switches read by the apps: e.g. {"import_guardian_level2": true}.
    options = models.JSONField(_("options"), default=dict, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return self.name


class TenantHost(models.Model):
    """A host name a tenant answers on (several per tenant, each unique)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(_("host name"), max_length=253, unique=True)

    def __str__(self) -> str:
        return self.host


class TenantModel(models.Model):
    """Base of every tenant-owned row: the tenant key is never null, even when derivable."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=True)

    class Meta:
        abstract = True


class AuditEntry(TenantModel):
    """Who did what, when, on whom. Written by actions through `record_audit`."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    school = models.ForeignKey(
        "directory.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person whose data was touched, when there is one.",
    )
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "school", "-at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"


class Notification(TenantModel):
    """A stored notification: one row for a person, or one row for an audience (fan-out on read)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.ForeignKey(
        "directory.Audience", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    text = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Past this moment the timeline no longer shows it (an expired news item, for example).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "recipient", "-created_at"]),
            models.Index(fields=["tenant", "audience", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(audience__isnull=False),
                name="notification_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id}"
