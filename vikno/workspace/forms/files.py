"""A field for several files at once (Django's FileField takes one). It only collects them: the
size, type and content checks are the service's (attachment_add), the same for every channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from vikno.appeals.services.attachments import (
    ACCEPTED_EXTENSIONS,
    ACCEPTED_LABELS,
    MAX_FILES_PER_APPEAL,
    max_bytes,
    size_label,
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}))
        # An empty file is refused by the service, with the message every channel gives.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


def files_help() -> str:
    """What may be attached, from the service's own limits (read when the form is built)."""
    return _("%(types)s; up to %(size)s each, at most %(n)d files.") % {
        "types": ACCEPTED_LABELS, "size": size_label(max_bytes()), "n": MAX_FILES_PER_APPEAL}


def as_file_data(files: list[UploadedFile]) -> list[tuple[str, UploadedFile, str]]:
    """(name, content, claimed type): what attachment_add and appeal_register take."""
    return [(f.name or "", f, f.content_type or "") for f in files]
