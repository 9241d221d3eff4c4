"""attachment_add / attachments_add and attachments at registration: the checks, the stored file,
the audit event, and nothing left behind (rows or files) when a file is refused."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.models import Appeal, Attachment
from vikno.appeals.services.attachments import MAX_FILES_PER_APPEAL, clean_file_name
from vikno.appeals.tests.factories import footprint, letter, register
from vikno.audit.models import AuditEvent


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
DOCX = zipped(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"))
XLSX = zipped(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"))
ODT = zipped(("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<t/>"))
ODS = zipped(("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
             ("content.xml", b"<s/>"))
SAMPLES = {
    "лист.pdf": (PDF, "application/pdf"),
    "фото.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
    "фото.JPEG": (b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", "image/jpeg"),
    "знімок.png": (PNG, "image/png"),
    "скан.tif": (b"II*\x00\x08\x00\x00\x00\x00\x00", "image/tiff"),
    "скан.tiff": (b"MM\x00*\x00\x00\x00\x08\x00\x00", "image/tiff"),
    "телефон.heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    "заява.doc": (OLE + "WordDocument".encode("utf-16-le"), "application/msword"),
    "заява.docx": (DOCX,
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "заява.odt": (ODT, "application/vnd.oasis.opendocument.text"),
    "заява.rtf": (b"{\\rtf1\\ansi\\deff0 Hello}", "application/rtf"),
    "заява.txt": ("Прошу відремонтувати дорогу.\r\n".encode(), "text/plain"),
    "заява-1251.txt": ("Прошу відремонтувати дорогу.".encode("cp1251"), "text/plain"),
    "заява-16.txt": ("Прошу відремонтувати дорогу.".encode("utf-16"), "text/plain"),
    "таблиця.xls": (OLE + "Workbook".encode("utf-16-le"), "application/vnd.ms-excel"),
    "таблиця.xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "таблиця.ods": (ODS, "application/vnd.oasis.opendocument.spreadsheet"),
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


@pytest.fixture
def appeal(book: Any, operator: Any) -> Appeal:
    return register(actor=operator)


def refusal(**kwargs: Any) -> AppealsError:
    with pytest.raises(AppealsError) as caught:
        services.attachment_add(**kwargs)
    return caught.value


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_accepted_type_is_stored_with_the_type_found_in_it(appeal, operator, media, name):
    # given
    content, content_type = SAMPLES[name]

    # when: the sender's claim is not what is stored
    attachment = services.attachment_add(actor=operator, appeal=appeal, name=name, content=content,
                                         content_type="application/octet-stream")

    # then
    attachment.refresh_from_db()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == operator
    assert [p.read_bytes() for p in stored_files(media)] == [content]


def test_the_stored_name_is_the_hash_not_the_senders_name(appeal, operator, media):
    attachment = services.attachment_add(actor=operator, appeal=appeal, name="Коваль_заява.pdf",
                                         content=PDF)

    sha = hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name == f"appeals/{appeal.year}/{appeal.pk}/{sha[:16]}"
    assert "Коваль" not in str(stored_files(media)[0])
    assert attachment.file.read() == PDF


def test_an_upload_is_read_like_bytes(appeal, operator):
    upload = SimpleUploadedFile("скан.png", PNG, content_type="image/png")

    attachment = services.attachment_add(actor=operator, appeal=appeal, name=upload.name,
                                         content=upload, content_type=upload.content_type)

    assert attachment.size == len(PNG)
    assert attachment.content_type == "image/png"


def test_another_name_of_the_same_type_is_kept_a_false_claim_is_not(appeal, operator):
    rtf = services.attachment_add(actor=operator, appeal=appeal, name="a.rtf",
                                  content=b"{\\rtf1 x}", content_type="text/rtf")
    pdf = services.attachment_add(actor=operator, appeal=appeal, name="b.pdf", content=PDF,
                                  content_type="text/html")

    assert (rtf.content_type, pdf.content_type) == ("text/rtf", "application/pdf")


@pytest.mark.parametrize("raw,clean", [
    ("C:\\Users\\Коваль\\Desktop\\скан.pdf", "скан.pdf"),
    ("../../etc/лист.pdf", "лист.pdf"),
    ("зая\x00ва\x1b.pdf", "заява.pdf"),
    ("рахунок\u202efdp.exe", "рахунокfdp.exe"),  # a right-to-left override hides the real type
    ("  лист.pdf  ", "лист.pdf"),
    ("я" * 300 + ".pdf", "я" * 251 + ".pdf"),
])
def test_the_senders_name_is_cleaned(raw, clean):
    assert clean_file_name(raw) == clean


@pytest.mark.parametrize("name,content", [
    ("скан.pdf", PNG),
    ("фото.jpg", b"<html><script>alert(1)</script></html>"),
    ("фото.png", PDF),
    ("заява.docx", XLSX),
    ("заява.docx", zipped(("word/document.xml", b"<w/>"))),
    ("таблиця.xlsx", DOCX),
    ("заява.odt", ODS),
    ("заява.doc", OLE + "Workbook".encode("utf-16-le")),
    ("таблиця.xls", OLE + "WordDocument".encode("utf-16-le")),
    ("заява.rtf", b"Hello"),
    ("заява.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
    ("заява.txt", PDF + b"\x00\x01\x02"),
    ("фото.heic", b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00"),
    ("скан.tiff", PNG),
])
def test_content_that_is_not_what_the_extension_says_is_refused(appeal, operator, media, name,
                                                                 content):
    # given
    before = footprint()

    # when
    error = refusal(actor=operator, appeal=appeal, name=name, content=content)

    # then
    assert (error.code, error.field) == ("invalid_value", "attachments")
    assert name in error.message
    assert footprint() == before
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.parametrize("name", ["програма.exe", "сторінка.html", "скрипт.js", "архів.zip",
                                  "без-розширення", ""])
def test_a_type_not_on_the_list_is_refused(appeal, operator, media, name):
    error = refusal(actor=operator, appeal=appeal, name=name, content=PDF)

    assert error.code == "invalid_value"
    assert "PDF" in error.message  # the message names what may be attached
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_an_empty_file_is_refused(appeal, operator, media):
    error = refusal(actor=operator, appeal=appeal, name="лист.pdf", content=b"")

    assert error.code == "invalid_value"
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused(appeal, operator, media, settings):
    # given a limit of 64 bytes
    settings.VIKNO = {**settings.VIKNO, "ATTACHMENT_MAX_BYTES": 64}
    exact = PDF + b" " * (64 - len(PDF))
    events = AuditEvent.objects.count()

    # when
    error = refusal(actor=operator, appeal=appeal, name="великий.pdf", content=exact + b" ")
    upload_error = refusal(actor=operator, appeal=appeal, name="великий.pdf",
                           content=SimpleUploadedFile("великий.pdf", exact + b"  "))
    accepted = services.attachment_add(actor=operator, appeal=appeal, name="рівно.pdf",
                                       content=exact)

    # then
    assert error.code == upload_error.code == "invalid_value"
    assert "не більше 64 байти" in error.message
    assert accepted.size == 64
    assert AuditEvent.objects.count() == events + 1
    assert len(stored_files(media)) == 1


def test_the_limit_reads_as_megabytes(appeal, operator, settings):
    settings.VIKNO = {**settings.VIKNO, "ATTACHMENT_MAX_BYTES": 20 * 1024 * 1024}

    error = refusal(actor=operator, appeal=appeal, name="лист.pdf",
                    content=PDF + b"0" * (20 * 1024 * 1024))

    assert "не більше 20 МБ" in error.message


def test_the_same_content_twice_on_one_appeal_is_refused(appeal, operator, media):
    # given
    services.attachment_add(actor=operator, appeal=appeal, name="лист.pdf", content=PDF)
    before = footprint()

    # when: even under another name
    error = refusal(actor=operator, appeal=appeal, name="копія.pdf", content=PDF)

    # then
    assert error.code == "duplicate_attachment"
    assert error.http_status == 409
    assert footprint() == before
    assert appeal.attachments.count() == 1
    assert len(stored_files(media)) == 1


def test_the_same_content_on_another_appeal_is_accepted(book, operator, appeal):
    other = register(actor=operator)
    services.attachment_add(actor=operator, appeal=appeal, name="лист.pdf", content=PDF)

    services.attachment_add(actor=operator, appeal=other, name="лист.pdf", content=PDF)

    assert Attachment.objects.count() == 2


def test_at_most_twenty_files_per_appeal(appeal, operator, media):
    # given
    services.attachments_add(actor=operator, appeal=appeal, files=[
        (f"лист-{n}.txt", f"Сторінка {n}".encode(), "text/plain")
        for n in range(MAX_FILES_PER_APPEAL)])

    # when
    error = refusal(actor=operator, appeal=appeal, name="ще.txt", content=b"One more")

    # then
    assert error.code == "invalid_value"
    assert appeal.attachments.count() == MAX_FILES_PER_APPEAL
    assert len(stored_files(media)) == MAX_FILES_PER_APPEAL


def test_a_batch_is_all_or_nothing(appeal, operator, media):
    # given: the second file lies about its type
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.attachments_add(actor=operator, appeal=appeal, files=[
            ("лист.pdf", PDF, "application/pdf"), ("фото.jpg", PNG, "image/jpeg")])

    # then
    assert "фото.jpg" in caught.value.message
    assert footprint() == before
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_no_files_at_all_is_refused(appeal, operator):
    with pytest.raises(AppealsError) as caught:
        services.attachments_add(actor=operator, appeal=appeal, files=[])

    assert caught.value.code == "missing_field"


def test_a_failed_database_write_leaves_no_file(appeal, operator, media, monkeypatch):
    # given: the second row cannot be written (a database failure cannot be provoked on demand
    # on both databases, so this one is simulated)
    real_save = Attachment.save
    calls = []

    def failing_save(self: Attachment, *args: Any, **kwargs: Any) -> None:
        calls.append(self.original_name)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)

    # when
    with pytest.raises(DatabaseError):
        services.attachments_add(actor=operator, appeal=appeal, files=[
            ("лист.pdf", PDF, ""), ("фото.png", PNG, "")])

    # then: both files were written, and both are gone with the rows
    assert calls == ["лист.pdf", "фото.png"]
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def _finish(state: str, appeal: Appeal, *, supervisor: Any, executor: Any) -> None:
    if state == "forwarded":
        services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Міністерство юстиції")
    elif state == "returned_missing_content":
        services.appeal_return_missing_content(actor=supervisor, appeal=appeal,
                                               note="Не вказано адресу.")
    else:
        services.reply_submit(**letter(), actor=executor, assignment=appeal.questions.get().assignments.get(),
                              result="done", text="Виконано.")
        services.appeal_close(actor=supervisor, appeal=appeal, note="Виконано.")


@pytest.mark.parametrize("state", ["forwarded", "returned_missing_content", "closed"])
def test_a_finished_appeal_takes_no_files(book, operator, supervisor, executor, media, state):
    # given
    appeal = register(actor=operator, routing=services.Routing() if state == "closed" else None)
    _finish(state, appeal, supervisor=supervisor, executor=executor)
    appeal.refresh_from_db()
    before = footprint()

    # when
    error = refusal(actor=supervisor, appeal=appeal, name="лист.pdf", content=PDF)

    # then
    assert appeal.status == state
    assert (error.code, error.http_status) == ("conflict", 409)
    assert footprint() == before
    assert stored_files(media) == []


def test_the_audit_event_carries_the_hash_not_the_file_name(appeal, operator):
    # given: a file name that is a person's name
    events = AuditEvent.objects.count()

    # when
    attachment = services.attachment_add(actor=operator, appeal=appeal,
                                         name="Шевченко Тарас — заява.pdf", content=PDF)

    # then
    event = AuditEvent.objects.get(seq__gt=events)
    sha = hashlib.sha256(PDF).hexdigest()
    assert event.action == "attachment.add"
    assert event.object_type == "appeals.attachment"
    assert event.object_id == str(attachment.pk)
    assert event.object_label == f"{appeal.number} · {sha[:12]}"
    assert event.after == {"size": len(PDF), "content_type": "application/pdf", "sha256": sha}
    assert event.before is None
    assert "Шевченко" not in f"{event.object_label} {event.before} {event.after}"


def test_registration_stores_the_files_with_the_appeal(book, operator, media):
    # when
    appeal = register(actor=operator, attachments=[("лист.pdf", PDF, "application/pdf"),
                                                   ("фото.png", PNG, "image/png")])

    # then
    assert sorted(appeal.attachments.values_list("original_name", flat=True)) == [
        "лист.pdf", "фото.png"]
    assert len(stored_files(media)) == 2
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("attachment.add") == 2
    assert actions.index("appeal.register") < actions.index("attachment.add")


@pytest.mark.parametrize("files", [
    [("лист.pdf", PDF, ""), ("фото.jpg", PNG, "")],
    [("лист.pdf", PDF, ""), ("копія.pdf", PDF, "")],
    [("порожній.pdf", b"", "")],
    [(f"{n}.txt", str(n).encode(), "") for n in range(MAX_FILES_PER_APPEAL + 1)],
], ids=["a mismatched file", "the same file twice", "an empty file", "too many files"])
def test_registration_with_a_refused_file_writes_nothing(book, operator, media, files):
    # given
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, attachments=files)

    # then: not even a registration number is used
    assert caught.value.field == "attachments"
    assert footprint() == before
    assert Appeal.objects.count() == 0
    assert stored_files(media) == []
