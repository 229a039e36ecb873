"""Connected (external) apps shown in the launcher, and the profile page's value types."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel, hex_colour
from preau.directory.models import Profile, School
from preau.portal.catalogue import Service


class Visibility(models.TextChoices):
    """Who may see a contact detail (stored on Person.email_visibility / phone_visibility)."""

    PRIVATE = "private", _("Only me")
    STAFF = "staff", _("Staff and teachers of my schools")
    SCHOOL = "school", _("Everyone in my schools")


_PHONE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")


def validate_phone(value: str) -> None:
    """A phone number as people type it: digits, spaces, dots, dashes, brackets, leading +."""
    if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 6):
        raise ValidationError(
            _("Enter a phone number, for example 06 12 34 56 78 or +33 6 12 34 56 78."),
            code="phone",
        )


https_url = URLValidator(
    schemes=["https"], message=_("Enter a web address starting with https://.")
)


def validate_profiles(value: object) -> None:
    """A list of directory profile codes (an empty list means every profile)."""
    if not isinstance(value, list) or any(p not in Profile.values for p in value):
        raise ValidationError(
            _("Choose profiles among: %(profiles)s."),
            code="profiles",
            params={"profiles": ", ".join(Profile.values)},
        )


class AttributeProfile(models.TextChoices):
    """Which attributes Préau's CAS server releases to a connected app (STANDARDS.md)."""

    GENERIC = "generic", _("Generic (user, names, e-mail, profile, schools, classes)")
    PRONOTE = "pronote", _("Pronote (user, nom, prenom, dateNaissance, codePostal, categories)")


class ConnectedApp(TenantModel):
    """An external app (Pronote, Moodle, the CDI's catalogue...) offered to some people.

    `schools` empty: every school of the tenant. `profiles` empty: every profile.
    With `cas_enabled`, the launcher opens it through Préau's CAS server, which issues tickets
    only for service addresses matching `service_patterns` (see `preau.sso.cas.services`).
    """

    name = models.CharField(_("name"), max_length=80)
    service = models.CharField(
        _("service"),
        max_length=30,
        choices=Service.choices,
        help_text=_("The national service label, used by usage statistics."),
    )
    url = models.URLField(_("web address"), max_length=500, validators=[https_url])
    description = models.CharField(_("description"), max_length=200, blank=True)
    icon_letter = models.CharField(
        _("icon letter"),
        max_length=2,
        blank=True,
        help_text=_("One or two characters shown in the tile; the name's first letter if empty."),
    )
    icon_colour = models.CharField(
        _("icon colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="+",
        verbose_name=_("schools"),
        help_text=_("Leave empty for every school."),
    )
    profiles = models.JSONField(
        _("profiles"),
        default=list,
        blank=True,
        validators=[validate_profiles],
        help_text=_("Leave empty for every profile."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    cas_enabled = models.BooleanField(
        _("opens through Préau's CAS"),
        default=False,
        help_text=_("People arrive logged in: Préau issues a CAS ticket for the app."),
    )
    service_patterns = models.TextField(
        _("CAS service addresses"),
        blank=True,
        help_text=_(
            "One address per line. A line ending in * accepts every address that begins with "
            "it on the same host."
        ),
    )
    attribute_profile = models.CharField(
        _("attributes released"),
        max_length=10,
        choices=AttributeProfile.choices,
        default=AttributeProfile.GENERIC,
    )
    logout_url = models.URLField(
        _("single logout address"),
        max_length=500,
        blank=True,
        help_text=_(
            "Where Préau posts the CAS logout request when a person logs out; the service "
            "address the ticket was issued for if empty."
        ),
    )
    allow_proxy = models.BooleanField(
        _("may request proxy tickets"),
        default=False,
        help_text=_("Only for apps that call other CAS services on the person's behalf."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("connected app")
        verbose_name_plural = _("connected apps")
        ordering = ["position", "name", "id"]
        indexes = [models.Index(fields=["tenant", "is_enabled", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url__startswith="https://"), name="connected_app_https"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def letter(self) -> str:
        return (self.icon_letter or self.name[:1]).upper()

    @property
    def letter_colour(self) -> str:
        """Black or white, whichever reads better on `icon_colour` (WCAG relative luminance)."""
        try:
            channels = [int(self.icon_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        except ValueError:
            return "#ffffff"
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        # Contrast with white (1.05 / (L + .05)) against contrast with black ((L + .05) / .05).
        return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
