"""Console forms: they parse and check the shape of input; the actions check the rules.

Choice fields are limited to the school's own objects, so a forged id is a form error
("Select a valid choice") and never reaches an action.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from preau.core.forms import MultipleFileField
from preau.directory.communication import RULES
from preau.directory.models import (
    Authority,
    Function,
    Group,
    ImportChange,
    Level,
    Person,
    Profile,
    School,
    SchoolClass,
    uai_check_letter,
)
from preau.portal.models import ConnectedApp
from preau.sso.cas.queries import check_service_pattern, check_url, matches

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchoolSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or UAI"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class SchoolForm(forms.Form):
    """A school's identity. The UAI is checked by the action (format, check letter, free in the
    tenant) so that every mistake gets the same clear message; the form only bounds its length.

    `identity=False` (a school administrator) drops the UAI, kind, sector and authorities.
    `authorities` are the ones the actor may tick (`must_choose`: at least one); `kept` the
    school's other authorities, which stay as they are.
    """

    uai = forms.CharField(
        label=_("UAI code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=School.Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=School.Sector.choices)
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    authorities = forms.ModelMultipleChoiceField(
        label=_("Authorities"),
        required=False,
        queryset=Authority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        authorities: QuerySet[Authority],
        identity: bool = True,
        kept: Sequence[Authority] = (),
        must_choose: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kept = list(kept)
        if not identity:
            for name in ("uai", "kind", "sector", "authorities"):
                del self.fields[name]
            return
        example = "0750001" + uai_check_letter("0750001")
        self.fields["uai"].help_text = _(
            "Seven digits and a check letter, for example %(example)s."
        ) % {"example": example}
        self.fields["authorities"].queryset = authorities  # type: ignore[attr-defined]
        if must_choose:
            self.fields["authorities"].help_text = _(
                "The school hangs under at least one of the authorities you administer."
            )

    def chosen_authorities(self) -> list[Authority]:
        """The ticked authorities and the kept ones: every authority of the school afterwards."""
        return [*self.kept, *self.cleaned_data.get("authorities", [])]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    profile = forms.ChoiceField(
        label=_("Profile"), required=False, choices=[("", _("All profiles")), *Profile.choices]
    )
    school_class = forms.ModelChoiceField(
        label=_("Class"), required=False, queryset=SchoolClass.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes  # type: ignore[attr-defined]


class PersonForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    profile = forms.ChoiceField(label=_("Profile"), choices=Profile.choices)
    functions = forms.MultipleChoiceField(
        label=_("Functions (staff only)"),
        required=False,
        choices=Function.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    school_class = forms.ModelChoiceField(
        label=_("Class (pupils only)"),
        required=False,
        queryset=SchoolClass.objects.none(),
        empty_label=_("No class"),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)
    login = forms.CharField(
        label=_("Login name"),
        required=False,
        max_length=150,
        help_text=_("Leave blank to generate firstname.lastname."),
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes  # type: ignore[attr-defined]


class PersonEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)
    login = forms.CharField(label=_("Login name"), max_length=150)
    school_class = forms.ModelChoiceField(
        label=_("Class"),
        required=False,
        queryset=SchoolClass.objects.none(),
        empty_label=_("No class"),
    )
    functions = forms.MultipleChoiceField(
        label=_("Functions"),
        required=False,
        choices=Function.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        classes: QuerySet[SchoolClass],
        is_pupil: bool,
        is_staff: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if is_pupil:
            self.fields["school_class"].queryset = classes  # type: ignore[attr-defined]
        else:
            del self.fields["school_class"]
        if not is_staff:
            del self.fields["functions"]


class BlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for blocking"),
        max_length=200,
        help_text=_("The person sees this reason when they try to log in."),
    )


class ClassForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("For example 6A or 2NDE3."))
    name = forms.CharField(label=_("Name"), max_length=80)
    level = forms.ModelChoiceField(
        label=_("Level"), required=False, queryset=Level.objects.none(), empty_label=_("None")
    )

    def __init__(self, *args: Any, levels: QuerySet[Level], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels  # type: ignore[attr-defined]


class PeopleChoiceForm(forms.Form):
    """A set of people chosen among the school's (class pupils or group members)."""

    field_name = "people"

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.field_name] = forms.ModelMultipleChoiceField(
            queryset=people, required=False, widget=forms.CheckboxSelectMultiple
        )

    def selected_ids(self) -> set[str]:
        """What is ticked: the posted values, else the initial ones (as strings)."""
        value = self[self.field_name].value() or []
        return {str(getattr(v, "pk", v)) for v in value}


class ClassPupilsForm(PeopleChoiceForm):
    field_name = "pupils"


class GroupMembersForm(PeopleChoiceForm):
    field_name = "members"


class GroupForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices)
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        required=False,
        queryset=SchoolClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The classes the group draws its pupils from, if any."),
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = classes  # type: ignore[attr-defined]


class CommunicationForm(forms.Form):
    """One checkbox per rule, labelled, with its default as help text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, rule in RULES.items():
            self.fields[key] = forms.BooleanField(
                label=str(rule.label),
                required=False,
                help_text=_("Default: allowed") if rule.default else _("Default: not allowed"),
            )

    def rules(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(key)) for key in RULES}


class LettersForm(forms.Form):
    guardians = forms.BooleanField(
        label=_("Also print letters for their guardians who have not activated their account"),
        required=False,
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_(
            "For example directory.person_created, or accounts. for every account operation."
        ),
    )
    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=School.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


# --- imports -------------------------------------------------------------------------------------


class AafImportForm(forms.Form):
    uploads = MultipleFileField(
        label=_("AAF files"),
        help_text=_(
            "Every file of the set (ENT_…_Complet_… or ENT_…_Delta_…, all types and pages), "
            "in UTF-8 or ISO-8859-15."
        ),
    )
    complete = forms.TypedChoiceField(
        label=_("Kind of set"),
        choices=[
            ("1", _("Complete extraction: whoever is absent leaves the schools of the set")),
            ("0", _("Delta: apply the additions, changes and deletions it lists")),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class SchoolImportForm(forms.Form):
    FORMATS = [
        ("siecle", _("SIECLE exports (pupils, guardians, nomenclature)")),
        ("sts", _("STS-Web export (teachers, divisions, groups, services)")),
        ("csv", _("CSV file (one profile)")),
    ]
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect)
    profile = forms.ChoiceField(
        label=_("Profile of the CSV file"),
        required=False,
        choices=[("", "—")]
        + [
            (p.value, p.label)
            for p in (Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF)
        ],
    )
    uploads = MultipleFileField(label=_("Files"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == "csv" and not data.get("profile"):
            self.add_error("profile", _("Choose the profile of the people in this file."))
        return data


class ImportChangesFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), required=False)
    action = forms.ChoiceField(label=_("Change"), required=False)

    def __init__(self, *args: Any, kinds: Sequence[str], actions: Sequence[str], **kw: Any):
        super().__init__(*args, **kw)
        from preau.console.templatetags.console_tags import CHANGE_KINDS

        kind_field = self.fields["kind"]
        action_field = self.fields["action"]
        assert isinstance(kind_field, forms.ChoiceField)
        assert isinstance(action_field, forms.ChoiceField)
        kind_field.choices = [("", _("Everything"))] + [(k, CHANGE_KINDS.get(k, k)) for k in kinds]
        action_field.choices = [("", _("Every change"))] + [
            (a, ImportChange.Action(a).label) for a in actions if a in ImportChange.Action.values
        ]


class OpenSchoolYearForm(forms.Form):
    start_year = forms.IntegerField(
        label=_("First calendar year of the new school year"),
        help_text=_("For example 2027 opens the school year 2027-2028."),
        min_value=2000,
        max_value=2100,
    )


class ConnectedAppForm(forms.ModelForm):
    """A connected app of the registry. Schools are those the actor administers; an
    administrator who is not the operator must choose at least one."""

    profiles = forms.MultipleChoiceField(
        label=_("Profiles"),
        required=False,
        choices=Profile.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every profile."),
    )
    url = forms.URLField(
        label=capfirst(ConnectedApp._meta.get_field("url").verbose_name),
        max_length=500,
        assume_scheme="https",
    )
    logout_url = forms.URLField(
        label=capfirst(ConnectedApp._meta.get_field("logout_url").verbose_name),
        help_text=ConnectedApp._meta.get_field("logout_url").help_text,
        max_length=500,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = ConnectedApp
        fields = [
            "name",
            "service",
            "url",
            "description",
            "icon_letter",
            "icon_colour",
            "schools",
            "profiles",
            "cas_enabled",
            "service_patterns",
            "attribute_profile",
            "logout_url",
            "allow_proxy",
            "position",
            "is_enabled",
        ]
        widgets = {
            "schools": forms.CheckboxSelectMultiple,
            "service_patterns": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "icon_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, schools: QuerySet[School], must_choose: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools  # type: ignore[attr-defined]
        self.must_choose = must_choose
        if must_choose:
            self.fields["schools"].required = True
            self.fields["schools"].help_text = _("The schools it is offered to.")

    def clean_service_patterns(self) -> str:
        text: str = self.cleaned_data["service_patterns"]
        errors: list[ValidationError] = []
        for line in text.splitlines():
            if line.strip():
                try:
                    check_service_pattern(line.strip())
                except ValidationError as error:
                    errors.append(error)
        if errors:
            raise ValidationError(errors)
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def clean_logout_url(self) -> str:
        url: str = self.cleaned_data["logout_url"]
        if url and not check_url(url):
            raise ValidationError(_("Enter a web address starting with https://."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cas_enabled") and "service_patterns" not in self.errors:
            patterns = [p for p in data.get("service_patterns", "").splitlines() if p]
            if not patterns:
                self.add_error(
                    "service_patterns",
                    _("Give at least one service address for an app that opens through CAS."),
                )
            elif data.get("url") and not any(matches(p, data["url"]) for p in patterns):
                self.add_error(
                    "url",
                    _(
                        "The launcher opens this address through CAS: it must match one of the "
                        "service addresses."
                    ),
                )
        return data
