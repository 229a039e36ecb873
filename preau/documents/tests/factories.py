"""Helpers of the documents tests: actors, spaces, folders and files."""

from __future__ import annotations

from typing import Any

from preau.directory.queries import build_actor
from preau.documents import actions
from preau.documents.models import Document, Folder, Space
from preau.documents.tests.conftest import upload


def actor(person: Any) -> Any:
    return build_actor(person, tenant=person.tenant)


def space_of(world: Any, kind: str = "class") -> Space:
    """The class 6e A's space (or another kind), opened by whoever may."""
    if kind == "personal":
        return actions.open_space(actor=actor(world.teacher), kind="personal")
    ref = {"class": world.class_a, "group": world.group, "school": world.school}[kind]
    return actions.open_space(actor=actor(world.admin), kind=kind, ref_id=ref.pk)


def folder(by: Any, space: Space, name: str, parent: Folder | None = None) -> Folder:
    return actions.create_folder(actor=actor(by), space=space, parent=parent, name=name)


def document(
    by: Any,
    space: Space,
    folder_: Folder | None = None,
    name: str = "cours.txt",
    content: bytes = b"Cours 1\n",
) -> Document:
    return actions.upload_documents(
        actor=actor(by), space=space, folder=folder_, uploads=[upload(name, content)]
    )[0]
