"""Attachments of the case file: letter scans and photos at registration, the executors' reply
documents later.

A file is accepted only when its extension is on the list AND its first bytes are what that
extension promises (for the zip and OLE office formats: the part that names the format), so a
renamed program or web page is refused, and the type stored and served on download is the one
found here, never the one the sender claimed. A short table of signatures covers the thirteen
accepted types; libmagic would add a system library to every server for no better answer on them.

Files are written before their rows (an orphan file is harmless, a row without its file is not)
and deleted again when the transaction that wrote them fails inside these functions.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal, Attachment
from vikno.appeals.services._common import lock
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction

KB = 1024
MB = 1024 * KB
DEFAULT_MAX_BYTES = 20 * MB
MAX_FILES_PER_APPEAL = 20
MAX_NAME_LENGTH = 255
FIELD = "attachments"
# The case is finished or is no longer this centre's: nothing is added to it any more.
CLOSED_TO_ATTACHMENTS = frozenset({
    AppealStatus.FORWARDED, AppealStatus.RETURNED_MISSING_CONTENT, AppealStatus.CLOSED,
})

# What a caller hands over: (file name, content, content type claimed by the sender).
FileData = tuple[str, bytes | File, str]


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return []


def _odf(mimetype: bytes) -> Callable[[bytes], bool]:
    """OpenDocument: a zip whose small `mimetype` member names the format."""

    def matches(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                info = archive.getinfo("mimetype")
                return info.file_size < 200 and archive.read(info).strip() == mimetype
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError):
            return False

    return matches


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    """Office Open XML: a zip with the content-types part and the format's own folder."""

    def matches(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(data)
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return matches


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(*streams: str) -> Callable[[bytes], bool]:
    """Legacy Office: an OLE compound file holding the format's main stream (names are UTF-16)."""

    def matches(data: bytes) -> bool:
        return data.startswith(OLE) and any(s.encode("utf-16-le") in data for s in streams)

    return matches


# Control bytes that never occur in a text file (tab, line breaks, form feed and the old DOS
# end-of-file mark do).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")


def _text(data: bytes) -> bool:
    """Plain text in the encodings Ukrainian senders use: UTF-8, UTF-16 with a BOM, Windows-1251."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if _BINARY.search(data):
        return False
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1",
               b"msf1"}


@dataclass(frozen=True)
class FileType:
    label: str  # shown on the card
    content_type: str  # stored, and served on download
    matches: Callable[[bytes], bool]
    also: tuple[str, ...] = ()  # other names senders give the same type


PDF = FileType("PDF", "application/pdf", lambda d: b"%PDF-" in d[:1024])
JPEG = FileType("JPEG", "image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), ("image/pjpeg",))
TIFF = FileType("TIFF", "image/tiff",
                lambda d: d[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"))
TYPES: dict[str, FileType] = {
    "pdf": PDF,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": FileType("PNG", "image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "tif": TIFF,
    "tiff": TIFF,
    "heic": FileType("HEIC", "image/heic", lambda d: d[4:8] == b"ftyp" and d[8:12] in HEIC_BRANDS,
                     ("image/heif",)),
    "doc": FileType("DOC", "application/msword", _ole("WordDocument")),
    "docx": FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     _ooxml("word/")),
    "odt": FileType("ODT", "application/vnd.oasis.opendocument.text",
                    _odf(b"application/vnd.oasis.opendocument.text")),
    "rtf": FileType("RTF", "application/rtf", lambda d: d.startswith(b"{\\rtf"), ("text/rtf",)),
    "txt": FileType("TXT", "text/plain", _text),
    "xls": FileType("XLS", "application/vnd.ms-excel", _ole("Workbook", "Book")),
    "xlsx": FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _ooxml("xl/")),
    "ods": FileType("ODS", "application/vnd.oasis.opendocument.spreadsheet",
                    _odf(b"application/vnd.oasis.opendocument.spreadsheet")),
}
ACCEPTED_EXTENSIONS = tuple(f".{ext}" for ext in TYPES)
ACCEPTED_LABELS = ", ".join(dict.fromkeys(t.label for t in TYPES.values()))


def type_label(content_type: str) -> str:
    """The short name of a stored type for people ("PDF", "JPEG"…)."""
    return next((t.label for t in TYPES.values() if t.content_type == content_type), content_type)


def max_bytes() -> int:
    return int(str(settings.VIKNO.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)))


def size_label(size: int) -> str:
    if size >= MB:
        return _("%(n)s MB") % {"n": f"{size / MB:.3g}"}
    if size >= KB:
        return _("%(n)s KB") % {"n": f"{size / KB:.3g}"}
    return ngettext("%(n)d byte", "%(n)d bytes", size) % {"n": size}


def clean_file_name(raw: str) -> str:
    """The sender's file name as it may be shown and offered on download: no folders, no control
    or direction-override characters (which disguise "scan‮fdp.exe" as a PDF), at most 255
    characters with the extension kept."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = f"{stem[:MAX_NAME_LENGTH - len(ext) - 1]}.{ext}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


@dataclass(frozen=True)
class PreparedFile:
    """A file that passed every check that needs no database: ready to be stored."""

    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _refused(message: str, code: Code = Code.INVALID_VALUE, http_status: int = 400) -> AppealsError:
    return AppealsError(code, message, field=FIELD, http_status=http_status)


def _read(content: bytes | File, *, shown: str, limit: int) -> bytes:
    too_large = _refused(_("The file “%(name)s” is too large: at most %(limit)s.")
                         % {"name": shown, "limit": size_label(limit)})
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
    else:
        # An upload knows its size: a huge one is refused without reading it.
        size = getattr(content, "size", None)
        if isinstance(size, int) and size > limit:
            raise too_large
        content.seek(0)
        data = content.read(limit + 1)
    if not data:
        raise _refused(_("The file “%(name)s” is empty.") % {"name": shown})
    if len(data) > limit:
        raise too_large
    return data


def attachment_prepare(*, name: str, content: bytes | File, content_type: str = "") -> PreparedFile:
    """Check one file without touching the database: size, accepted type, content of that type."""
    clean = clean_file_name(name)
    shown = clean or "—"
    data = _read(content, shown=shown, limit=max_bytes())
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    file_type = TYPES.get(ext)
    if file_type is None:
        raise _refused(_("The file “%(name)s” is not of an accepted type. Attach %(types)s.")
                       % {"name": shown, "types": ACCEPTED_LABELS})
    if not file_type.matches(data):
        raise _refused(_("The content of the file “%(name)s” is not %(type)s, as its name says. "
                         "Save it again in that format, or as PDF.")
                       % {"name": shown, "type": file_type.label})
    claimed = (content_type or "").split(";")[0].strip().lower()
    stored = claimed if claimed in file_type.also else file_type.content_type
    return PreparedFile(name=clean, data=data, content_type=stored,
                        sha256=hashlib.sha256(data).hexdigest())


def attachments_prepare(files: Sequence[FileData]) -> list[PreparedFile]:
    """Check a batch: every file, their number, and the same content given twice."""
    if len(files) > MAX_FILES_PER_APPEAL:
        raise _too_many()
    prepared: list[PreparedFile] = []
    for name, content, content_type in files:
        item = attachment_prepare(name=name, content=content, content_type=content_type)
        if any(p.sha256 == item.sha256 for p in prepared):
            raise _duplicate(item)
        prepared.append(item)
    return prepared


def _too_many() -> AppealsError:
    return _refused(_("At most %(n)d files can be attached to one appeal.")
                    % {"n": MAX_FILES_PER_APPEAL})


def _duplicate(item: PreparedFile) -> AppealsError:
    return _refused(_("The file “%(name)s” is already attached to this appeal.")
                    % {"name": item.name or "—"}, Code.DUPLICATE_ATTACHMENT, 409)


def _check_appeal(appeal: Appeal, prepared: Sequence[PreparedFile], *, fresh: bool) -> None:
    if appeal.status in CLOSED_TO_ATTACHMENTS:
        raise _refused(_("Files can no longer be attached: the appeal is “%(status)s”.")
                       % {"status": AppealStatus(appeal.status).label}, Code.CONFLICT, 409)
    existing = set() if fresh else set(appeal.attachments.values_list("sha256", flat=True))
    if len(existing) + len(prepared) > MAX_FILES_PER_APPEAL:
        raise _too_many()
    for item in prepared:
        if item.sha256 in existing:
            raise _duplicate(item)


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Names of the files written inside; deleted again if the block fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
        for name in written:
            storage.delete(name)
        raise


def attachments_store(*, actor: Any, appeal: Appeal, prepared: Sequence[PreparedFile],
                      fresh: bool = False) -> list[Attachment]:
    """Store checked files on the appeal, all or none. `fresh`: the appeal is being registered in
    this transaction, so nobody else holds it and it has no attachments yet."""
    if not prepared:
        return []
    uploader = actor if getattr(actor, "pk", None) else None
    created: list[Attachment] = []
    with _files_removed_on_failure() as written, transaction.atomic():
        if not fresh:
            # Under the appeal's lock the count and the duplicate check see every other upload.
            appeal = lock(appeal)
        _check_appeal(appeal, prepared, fresh=fresh)
        for item in prepared:
            attachment = Attachment(appeal=appeal, original_name=item.name, size=item.size,
                                    content_type=item.content_type, sha256=item.sha256,
                                    uploaded_by=uploader)
            # The stored name comes from the content's hash (upload_to), never from the sender.
            attachment.file.save(item.sha256, ContentFile(item.data), save=False)
            written.append(attachment.file.name)
            attachment.save()
            # The file name may be a person's name: the trail gets the hash instead.
            audit.record(actor=actor, action=AuditAction.ATTACHMENT_ADD, obj=attachment,
                         object_label=f"{appeal.number} · {item.sha256[:12]}",
                         after={"size": item.size, "content_type": item.content_type,
                                "sha256": item.sha256})
            created.append(attachment)
    return created


def attachments_add(*, actor: Any, appeal: Appeal, files: Sequence[FileData]) -> list[Attachment]:
    """Attach several files to an appeal, all or none (AppealsError, nothing written)."""
    if not files:
        raise AppealsError(Code.MISSING_FIELD, _("Choose the files to attach."), field=FIELD)
    return attachments_store(actor=actor, appeal=appeal, prepared=attachments_prepare(files))


def attachment_add(*, actor: Any, appeal: Appeal, name: str, content: bytes | File,
                   content_type: str = "") -> Attachment:
    """Attach one file to an appeal.

    Refused (AppealsError, nothing written, no file left behind) when the file is empty, larger
    than VIKNO["ATTACHMENT_MAX_BYTES"], not of an accepted type, or its content is not what its
    extension says (invalid_value); when the appeal already has this content (duplicate_attachment)
    or MAX_FILES_PER_APPEAL files (invalid_value); when the appeal is forwarded, returned for
    missing content or closed (conflict).
    """
    return attachments_add(actor=actor, appeal=appeal, files=[(name, content, content_type)])[0]
