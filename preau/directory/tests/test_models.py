import pytest
from django.core.exceptions import ValidationError

from preau.directory.models import Membership, Person, Profile, uai_check_letter, validate_uai


@pytest.mark.parametrize(
    "uai", ["0690001" + uai_check_letter("0690001"), "0010016" + uai_check_letter("0010016")]
)
def test_valid_uai_codes_pass(uai):
    validate_uai(uai)


@pytest.mark.parametrize(
    ("uai", "code"),
    [
        ("069001", "uai_format"),
        ("06900011A", "uai_format"),
        ("A6900010", "uai_format"),
        ("06900012", "uai_format"),
        ("0690001" + ("A" if uai_check_letter("0690001") != "A" else "B"), "uai_check"),
    ],
)
def test_malformed_uai_codes_are_refused_with_a_reason(uai, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uai(uai)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


def test_check_letter_skips_i_o_q():
    letters = {uai_check_letter(f"{n:07d}") for n in range(23)}
    assert len(letters) == 23
    assert not letters & {"I", "O", "Q"}


def test_person_search_name_is_folded(world):
    person = Person.objects.get(pk=world.other_teacher.pk)
    assert person.search_name == "lefevre jean"


def test_national_codes_follow_profile_and_functions(world):
    staff = Membership.objects.get(person=world.staff)
    director = Membership.objects.get(person=world.director)
    pupil = Membership.objects.get(person=world.pupil)
    assert staff.national_codes == ["National_EVS"]
    assert director.national_codes == ["National_DIR"]
    assert pupil.national_codes == ["National_ELV"]
    assert Membership(profile=Profile.STAFF, functions=[]).national_codes == ["National_ETA"]


def test_login_names_spell_ligatures_out():
    from preau.directory.logins import login_stem

    assert login_stem("Clémence", "Bœuf") == "clemence.boeuf"
    assert login_stem("Lætitia", "Strauß") == "laetitia.strauss"
