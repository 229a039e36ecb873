"""Structures, school years, people, memberships, classes, groups, guardians and audiences."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel
from preau.core.sanitize import fold

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: I, O and Q are never used


def uai_check_letter(digits: str) -> str:
    """The check letter of a UAI (RNE) code: its seven digits modulo 23 in UAI_LETTERS."""
    return UAI_LETTERS[int(digits) % 23]


def validate_uai(value: str) -> None:
    if len(value) != 8 or not value[:7].isdigit() or not value[7].isalpha():
        raise ValidationError(
            _("A UAI code is 7 digits followed by a letter, for example 0750001%(letter)s."),
            code="uai_format",
            params={"letter": uai_check_letter("0750001")},
        )
    expected = uai_check_letter(value[:7])
    if value[7].upper() != expected:
        raise ValidationError(
            _("The check letter of %(uai)s should be %(letter)s."),
            code="uai_check",
            params={"uai": value, "letter": expected},
        )


class Profile(models.TextChoices):
    PUPIL = "pupil", _("Pupil")
    GUARDIAN = "guardian", _("Guardian")
    TEACHER = "teacher", _("Teacher")
    STAFF = "staff", _("Staff")
    AGENT = "agent", _("Authority agent")
    GUEST = "guest", _("Guest")


class Function(models.TextChoices):
    """Staff functions, with the national profile code they map to."""

    DIRECTION = "DIR", _("Management")
    LIFE = "EVS", _("Vie scolaire (CPE, assistants)")
    ADMINISTRATIVE = "ETA", _("Administrative and technical")
    LIBRARY = "DOC", _("Documentation")
    CATERING = "RES", _("Catering")
    LOCAL_AUTHORITY = "COL", _("Local-authority staff")


NATIONAL_CODES = {
    Profile.PUPIL: "National_ELV",
    Profile.GUARDIAN: "National_TUT",
    Profile.TEACHER: "National_ENS",
    Profile.AGENT: "National_ACA",
    Profile.GUEST: "National_ETA",
}
FUNCTION_NATIONAL_CODES = {
    Function.DIRECTION: "National_DIR",
    Function.LIFE: "National_EVS",
    Function.ADMINISTRATIVE: "National_ETA",
    Function.LIBRARY: "National_DOC",
    Function.CATERING: "National_ETA",
    Function.LOCAL_AUTHORITY: "National_COL",
}


class Authority(TenantModel):
    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        ACADEMIE = "academie", _("Académie")
        DEPARTEMENT = "departement", _("Département")
        DRAAF = "draaf", _("DRAAF")
        PRIVATE_NETWORK = "private", _("Private-school network")
        COMMUNE = "commune", _("Commune")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(TenantModel):
    class Kind(models.TextChoices):
        ECOLE = "ecole", _("École")
        COLLEGE = "college", _("Collège")
        LYCEE = "lycee", _("Lycée")
        LP = "lp", _("Lycée professionnel")
        LYCEE_AGRICOLE = "lycee_agricole", _("Lycée agricole")
        EREA = "erea", _("EREA")

    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private under contract")
        AGRICULTURAL = "agricultural", _("Agricultural")

    uai = models.CharField(_("UAI code"), max_length=8, validators=[validate_uai])
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    city = models.CharField(_("city"), max_length=120, blank=True)
    external_id = models.CharField(_("join key"), max_length=64, blank=True)
    authorities = models.ManyToManyField(
        Authority, blank=True, related_name="schools", verbose_name=_("authorities")
    )
    # Catalogue keys switched off for this school (the tenant's list minus these).
    disabled_apps = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("school")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "uai"], name="school_uai_unique")]

    def __str__(self) -> str:
        return self.name


class SchoolYear(TenantModel):
    """A school year, named by the calendar year it starts in (2026 → 2026-2027)."""

    start_year = models.PositiveSmallIntegerField(_("start year"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "start_year"], name="school_year_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_current=True), name="one_current_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @staticmethod
    def start_year_for(day: dt.date) -> int:
        return day.year if day.month >= 8 else day.year - 1


class Subject(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=120)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="subject_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Level(TenantModel):
    """A MEF (module élémentaire de formation): 6e, 2nde générale, CAP 1re année..."""

    code = models.CharField(_("MEF code"), max_length=20)
    label = models.CharField(_("label"), max_length=120)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="level_code_unique")]

    def __str__(self) -> str:
        return self.label


class PersonManager(BaseUserManager["Person"]):
    def get_by_natural_key(self, username: str | None) -> Person:
        raise NotImplementedError("Log in through preau.accounts.backends.TenantBackend")


class Person(AbstractBaseUser, TenantModel):
    """One account per person per tenant, possibly in several schools."""

    class Title(models.TextChoices):
        NONE = "", _("—")
        MR = "M.", _("Mr")
        MRS = "Mme", _("Mrs")

    login = models.CharField(_("login name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    title = models.CharField(_("title"), max_length=4, choices=Title.choices, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    search_name = models.CharField(max_length=250, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    external_id = models.CharField(_("join key"), max_length=64, blank=True, db_index=True)
    ine = models.CharField(_("INE"), max_length=11, blank=True)
    is_operator = models.BooleanField(_("tenant operator"), default=False)
    is_blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # Where the account comes from: "" (typed by hand) or the feed that manages it.
    source = models.CharField(_("source"), max_length=10, blank=True)
    # Pre-deleted by a complete feed: blocked, and erased by the retention job on that day.
    deletion_due_on = models.DateField(_("deletion due on"), null=True, blank=True)
    # The person objected to keeping their contributions in shared spaces after deletion.
    erase_contributions = models.BooleanField(_("erase contributions on deletion"), default=False)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Profile page
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    # Who may see the contact details: "private", "staff" (school staff and teachers), "school"
    email_visibility = models.CharField(max_length=10, default="staff")
    phone_visibility = models.CharField(max_length=10, default="private")

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "login"], name="person_login_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "email"]),
            models.Index(fields=["tenant", "search_name", "id"]),
            models.Index(fields=["tenant", "ine"]),
            models.Index(fields=["tenant", "deletion_due_on"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived column kept with its row (a single-row invariant, not business logic).
        self.search_name = fold(f"{self.last_name} {self.first_name}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return not self.is_blocked

    @property
    def initials(self) -> str:
        return (self.first_name[:1] + self.last_name[:1]).upper()


class SchoolClass(TenantModel):
    """A class (division) of a school for one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "code"], name="class_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Group(TenantModel):
    class Kind(models.TextChoices):
        TEACHING = "teaching", _("Teaching group")
        MANUAL = "manual", _("Manual group")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    classes = models.ManyToManyField(SchoolClass, blank=True, related_name="groups")
    members: models.ManyToManyField[Person, GroupMember] = models.ManyToManyField(
        "Person", through="GroupMember", related_name="member_of"
    )

    class Meta:
        verbose_name = _("group")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "code"], name="group_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(TenantModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="group_member_unique")
        ]


class Membership(TenantModel):
    """A person's place in a school for a school year: profile, functions, class."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices)
    functions = models.JSONField(_("functions"), default=list, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("class"),
    )
    is_school_admin = models.BooleanField(_("school administrator"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school", "year", "profile"], name="membership_unique"
            )
        ]
        indexes = [
            models.Index(fields=["school", "year", "profile"]),
            models.Index(fields=["person", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.school_id} {self.profile}"

    @property
    def national_codes(self) -> list[str]:
        if self.profile == Profile.STAFF:
            return sorted({FUNCTION_NATIONAL_CODES[Function(f)] for f in self.functions}) or [
                "National_ETA"
            ]
        return [NATIONAL_CODES[Profile(self.profile)]]


class AuthorityAdmin(TenantModel):
    """An authority administrator: administers every school hanging under the authority."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="authority_admin_of")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="admins")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "authority"], name="authority_admin_unique")
        ]


class TeachingAssignment(TenantModel):
    """A teacher teaches a subject to a class or to a group; `is_main` marks the main teacher."""

    teacher = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_main = models.BooleanField(_("main teacher"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school_class__isnull=False, group__isnull=True)
                    | models.Q(school_class__isnull=True, group__isnull=False)
                ),
                name="assignment_class_xor_group",
            )
        ]


class GuardianLink(TenantModel):
    """Pupil ↔ guardian, with the responsibility level and the guardian's rights."""

    class Level(models.IntegerChoices):
        LEGAL = 1, _("Legal representative")
        IN_CHARGE = 2, _("Person in charge")

    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_links")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.LEGAL)
    kinship = models.CharField(_("kinship"), max_length=40, blank=True)
    contact_priority = models.PositiveSmallIntegerField(_("contact priority"), default=1)
    can_see_grades = models.BooleanField(default=True)
    can_justify_absences = models.BooleanField(default=True)

    class Meta:
        ordering = ["contact_priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "guardian"], name="guardian_link_unique")
        ]


class Audience(TenantModel):
    """A reusable 'who': the union of its targets, resolved by a query (see audiences.py)."""

    label = models.CharField(_("label"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label or f"audience {self.pk}"


class AudienceTarget(TenantModel):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("Whole school")
        PROFILE = "profile", _("A profile in a school")
        CLASS_PUPILS = "class_pupils", _("Pupils of a class")
        CLASS_GUARDIANS = "class_guardians", _("Guardians of a class")
        CLASS_TEACHERS = "class_teachers", _("Teachers of a class")
        GROUP = "group", _("Members of a group")
        FUNCTION = "function", _("A staff function in a school")
        SUBJECT_TEACHERS = "subject_teachers", _("Teachers of a subject in a school")
        AUTHORITY = "authority", _("Schools of an authority")
        PERSON = "person", _("One person")

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    profile = models.CharField(max_length=10, choices=Profile.choices, blank=True)
    function = models.CharField(max_length=3, choices=Function.choices, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )


class CommunicationRule(TenantModel):
    """A school's override of one default communication rule (see communication.py)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="communication_rules")
    rule = models.CharField(max_length=40)
    allowed = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "rule"], name="communication_rule_unique")
        ]


# --- feeds: imports, their reports and the duplicates they find --------------------------------


class ImportJob(TenantModel):
    """One import of a feed (AAF, SIECLE, STS-Web, CSV): its files, its state and its outcome.

    A job is previewed (the import runs in a transaction that is rolled back) and then applied
    (the same import, committed). At most one job per scope runs at a time.
    """

    class Format(models.TextChoices):
        AAF = "aaf", _("AAF (académie)")
        SIECLE = "siecle", _("SIECLE")
        STS = "sts", _("STS-Web")
        CSV = "csv", _("CSV")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PREVIEWING = "previewing", _("Preview running")
        PREVIEWED = "previewed", _("Previewed")
        APPLYING = "applying", _("Import running")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PREVIEWING, Status.APPLYING)

    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    # complete (reconciles: absent people are detached) or delta (add / modify / delete)
    complete = models.BooleanField(_("complete set"), default=True)
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope_key = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    files = models.JSONField(default=list)  # [{"name": ..., "path": ..., "size": ...}]
    skip_invalid = models.BooleanField(_("apply only the valid lines"), default=False)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"file", "line", "message"}]
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scope_key"],
                condition=models.Q(status__in=["previewing", "applying"]),
                name="one_running_import_per_scope",
            )
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_format_display()} #{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING


class ImportChange(TenantModel):
    """One line of an import's report: what was (or would be) created, updated, moved..."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MOVED = "moved", _("Moved")
        DETACHED = "detached", _("Detached")
        DELETED = "deleted", _("Deleted")
        DUPLICATE = "duplicate", _("Possible duplicate")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=12)  # school, class, group, subject, level, person, link
    action = models.CharField(max_length=10, choices=Action.choices)
    key = models.CharField(max_length=120, blank=True)
    label = models.CharField(max_length=250, blank=True)
    details = models.JSONField(default=dict, blank=True)  # field → [old, new], or a text

    class Meta:
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="import_change_seq_unique")
        ]


class DuplicateCandidate(TenantModel):
    """Someone typed by hand who reappears in a feed: proposed for merging, never silently."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    existing = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    incoming = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)  # "ine" or "name_birth"
    job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["existing", "incoming"], name="duplicate_candidate_unique"
            )
        ]
