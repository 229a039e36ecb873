"""Activation letters: one PDF per class, one page per person, with codes that work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.accounts import codes
from preau.accounts.actions import activate_account
from preau.accounts.models import OneTimeCode
from preau.console import views
from preau.console.pdf import LetterContent, activation_letters_pdf
from preau.console.tests.helpers import snapshot


def page_count(pdf: bytes) -> int:
    """Page objects of the PDF (`/Type /Page`, not the `/Type /Pages` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture
def not_activated(world):
    """Léa and Hugo (6A), Chloé (6B) and Léa's mother have not activated their accounts."""
    for p in (world.pupil, world.pupil2, world.pupil_b, world.guardian):
        p.activated_at = None
        p.save()


@pytest.fixture
def printed(monkeypatch):
    """What went into the PDF: the letters given to activation_letters_pdf."""
    letters: list[LetterContent] = []

    def spy(**kwargs):
        letters.extend(kwargs["letters"])
        return activation_letters_pdf(**kwargs)

    monkeypatch.setattr(views, "activation_letters_pdf", spy)
    return letters


def pdf_url(world, school_class=None):
    return reverse(
        "console:letters_pdf", args=[world.school.pk, (school_class or world.class_a).pk]
    )


def is_valid(person, code):
    return OneTimeCode.objects.filter(
        person=person,
        purpose="activation",
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
        code_hash=codes.hash_code(
            purpose="activation", person_id=person.pk, code=codes.normalize_code(code)
        ),
    ).exists()


def test_one_pdf_with_one_letter_per_pupil_not_yet_activated(
    world, client_as, not_activated, printed
):
    world.pupil2.is_blocked = True  # a blocked account gets no letter
    world.pupil2.save()
    response = client_as("admin").post(pdf_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="codes-6A.pdf"'
    assert response["Cache-Control"] == "no-store"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert [letter.person for letter in printed] == [world.pupil]
    assert OneTimeCode.objects.filter(person=world.pupil).count() == 1
    assert not OneTimeCode.objects.exclude(person=world.pupil).exists()


def test_the_printed_codes_are_valid_and_activate_the_accounts(
    world, client_as, not_activated, printed
):
    response = client_as("admin").post(pdf_url(world))
    assert page_count(response.content) == 2
    assert [letter.person for letter in printed] == [world.pupil2, world.pupil]  # by name
    for letter in printed:
        assert letter.class_name == "6e A"
        assert is_valid(letter.person, letter.code)
    hugo = printed[0]
    activate_account(
        tenant=world.tenant,
        login=hugo.person.login,
        code=hugo.code,
        password="un mot de passe solide 42",
        accept_terms=True,
        ip=None,
    )
    hugo.person.refresh_from_db()
    assert hugo.person.activated_at is not None


def test_printing_again_voids_the_previous_codes(world, client_as, not_activated, printed):
    client = client_as("admin")
    client.post(pdf_url(world))
    first = list(printed)
    printed.clear()
    client.post(pdf_url(world))
    assert [letter.person for letter in printed] == [letter.person for letter in first]
    for old, new in zip(first, printed, strict=True):
        assert is_valid(new.person, new.code)
        assert not is_valid(old.person, old.code)


def test_guardians_get_their_letter_after_their_child(world, client_as, not_activated, printed):
    response = client_as("admin").post(pdf_url(world), {"guardians": "1"})
    assert page_count(response.content) == 3
    assert [(letter.person, list(letter.children)) for letter in printed] == [
        (world.pupil2, []),
        (world.pupil, []),
        (world.guardian, ["Léa Martin"]),
    ]
    assert all(is_valid(letter.person, letter.code) for letter in printed)


def test_an_activated_pupil_still_brings_home_the_letter_of_a_guardian(world, client_as, printed):
    world.guardian.activated_at = None
    world.guardian.save()
    response = client_as("admin").post(pdf_url(world), {"guardians": "on"})
    assert page_count(response.content) == 1
    assert [letter.person for letter in printed] == [world.guardian]


def test_nobody_to_print_is_a_message_not_an_empty_pdf(world, client_as):
    before = snapshot()
    response = client_as("admin").post(pdf_url(world))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "console:letters", args=[world.school.pk, world.class_a.pk]
    )
    assert snapshot() == before


def test_get_on_the_pdf_goes_to_the_confirmation_and_writes_nothing(
    world, client_as, not_activated
):
    before = snapshot()
    client = client_as("admin")
    response = client.get(pdf_url(world))
    assert response.status_code == 302
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert (confirm.context["pupil_count"], confirm.context["guardian_count"]) == (2, 1)
    html = confirm.content.decode()
    assert f'action="{pdf_url(world)}"' in html
    assert 'name="guardians"' in html
    assert snapshot() == before


def test_the_letter_pdf_builds_for_any_name(world):
    world.pupil.first_name, world.pupil.last_name = "Łukasz", "Nguyễn Þórsdóttir"
    pdf = activation_letters_pdf(
        tenant=world.tenant,
        school=world.school,
        letters=[LetterContent(person=world.pupil, code="ABCD-EFGH", class_name="6e A")],
        activation_url="https://ent.example/accounts/activate/",
    )
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
