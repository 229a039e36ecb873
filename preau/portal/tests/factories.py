"""Factories and picture helpers for the portal's tests."""

from __future__ import annotations

import io

import factory
from PIL import Image

from preau.portal.catalogue import Service
from preau.portal.models import ConnectedApp


class ConnectedAppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectedApp
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Appli {n}")
    service = Service.SCHOOL_LIFE
    url = factory.Sequence(lambda n: f"https://app{n}.example.org/")

    @factory.post_generation
    def schools(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.schools.set(extracted)


def picture_bytes(fmt: str = "PNG", size: tuple[int, int] = (400, 300), **save: object) -> bytes:
    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, size, (200, 40, 40, 255) if mode == "RGBA" else (200, 40, 40))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()
