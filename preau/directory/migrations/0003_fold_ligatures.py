"""Refold the search names that hold a ligature (œ, æ, ß): `fold` now spells them out."""

from django.db import migrations
from django.db.models import Q


def refold(apps, schema_editor):
    from preau.core.sanitize import fold

    Person = apps.get_model("directory", "Person")
    ligatures = Q()
    for letter in ("œ", "Œ", "æ", "Æ", "ß"):
        ligatures |= Q(first_name__contains=letter) | Q(last_name__contains=letter)
    for person in Person.objects.filter(ligatures).iterator():
        person.search_name = fold(f"{person.last_name} {person.first_name}")
        person.save(update_fields=["search_name"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_feeds")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
