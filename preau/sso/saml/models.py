"""Identity providers Préau trusts, the identities they vouch for, and the state that makes
each assertion count once (docs/saml.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel


class IdentityProvider(TenantModel):
    """A SAML2 identity provider registered by the tenant's operator from its metadata."""

    class Kind(models.TextChoices):
        EDUCONNECT = "educonnect", _("EduConnect (pupils and parents)")
        AGENTS = "agents", _("Agents' identity provider of an académie")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(
        _("label on the login page"),
        max_length=120,
        help_text=_("The words on the login button, e.g. “Log in with EduConnect”."),
    )
    academie = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("académie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "academie"},
    )
    metadata_xml = models.TextField(_("metadata XML"))
    entity_id = models.CharField(_("entity id"), max_length=1024, editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "entity_id"], name="saml_idp_entity_unique")
        ]

    def __str__(self) -> str:
        return self.name


class FederatedIdentity(TenantModel):
    """This person is `subject` at `provider`: later logins from there open their account."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="federated_identities"
    )
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(_("subject"), max_length=512)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("federated identity")
        verbose_name_plural = _("federated identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="saml_identity_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "person"], name="saml_identity_person_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.provider_id}"


class ConsumedAssertion(TenantModel):
    """An assertion id already used to log in: the same assertion is refused a second time.

    Rows are kept until the assertion would have expired anyway, then purged.
    """

    assertion_id = models.CharField(max_length=256)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "assertion_id"], name="saml_assertion_once")
        ]


class FederatedSession(TenantModel):
    """A Préau session opened through an identity provider: what single logout needs."""

    session_key = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    name_id = models.TextField()  # the NameID as XML, sent back in our LogoutRequest
    name_id_value = models.CharField(max_length=512, db_index=True)
    session_index = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
