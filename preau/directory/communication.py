"""Communication rules: who may write to whom.

The default matrix (DESIGN.md): staff and teachers reach everyone in their school; pupils reach
their teachers and their class; guardians reach their children's teachers and the school staff;
nobody but staff writes to a whole school. A school's administrators override any rule for their
school (`CommunicationRule` rows); what is not overridden keeps its default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from preau.directory.models import CommunicationRule, School


@dataclass(frozen=True)
class Rule:
    key: str
    label: str | Promise
    default: bool


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("staff_to_school", _("Staff write to everyone in their school"), True),
        Rule("teacher_to_school", _("Teachers write to everyone in their school"), True),
        Rule("pupil_to_teachers", _("Pupils write to their teachers"), True),
        Rule("pupil_to_class", _("Pupils write to the pupils of their class"), True),
        Rule("pupil_to_staff", _("Pupils write to the school staff"), False),
        Rule("guardian_to_teachers", _("Guardians write to their children's teachers"), True),
        Rule("guardian_to_staff", _("Guardians write to the school staff"), True),
        Rule(
            "guardian_to_guardians", _("Guardians write to the other guardians of the class"), False
        ),
        Rule("teacher_to_whole_school", _("Teachers write to the whole school at once"), False),
    )
}


def effective_rules(school: School) -> dict[str, bool]:
    """The rules in force in `school`: defaults, then the school's overrides."""
    rules = {key: rule.default for key, rule in RULES.items()}
    for key, allowed in CommunicationRule.objects.filter(
        tenant_id=school.tenant_id, school=school, rule__in=RULES
    ).values_list("rule", "allowed"):
        rules[key] = allowed
    return rules
