"""The interface speaks Ukrainian first: the Ukrainian catalogue must be complete.

Also checks bin/compilemessages.py, which builds the .mo files without GNU gettext.
"""

from __future__ import annotations

import gettext
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import polib  # type: ignore[import-untyped]
import pytest

ROOT = Path(__file__).resolve().parent.parent
UK_CATALOGUE = ROOT / "vikno" / "locale" / "uk" / "LC_MESSAGES" / "django.po"


def load_compilemessages() -> ModuleType:
    path = ROOT / "bin" / "compilemessages.py"
    spec = importlib.util.spec_from_file_location("compilemessages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ukrainian_catalogue_is_complete():
    if not UK_CATALOGUE.exists():
        pytest.skip(f"{UK_CATALOGUE.relative_to(ROOT)} not generated yet (make messages)")
    catalogue = polib.pofile(str(UK_CATALOGUE))

    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]

    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check and clear the flag), e.g. {fuzzy[:10]}"


def test_ukrainian_catalogue_keeps_placeholders():
    if not UK_CATALOGUE.exists():
        pytest.skip(f"{UK_CATALOGUE.relative_to(ROOT)} not generated yet (make messages)")
    catalogue = polib.pofile(str(UK_CATALOGUE))

    # A translation that loses or renames %(name)s or {name} breaks at run time.
    broken = [
        e.msgid for e in catalogue.translated_entries()
        if not e.msgid_plural and "python-format" in e.flags
        and sorted(_placeholders(e.msgid)) != sorted(_placeholders(e.msgstr))
    ]

    assert not broken, f"placeholders differ in: {broken[:10]}"


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\([a-z_0-9]+\)[sdif]|%[sdif]", text)


def test_compilemessages_builds_a_catalogue_gettext_reads(tmp_path):
    # given a catalogue with one translated, one fuzzy and one untranslated entry
    po_path = tmp_path / "uk" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "uk"}
    catalogue.append(polib.POEntry(msgid="Appeal", msgstr="Звернення"))
    catalogue.append(polib.POEntry(msgid="Executor", msgstr="Виконавець?", flags=["fuzzy"]))
    catalogue.append(polib.POEntry(msgid="Topic", msgstr=""))
    catalogue.save(str(po_path))
    tool = load_compilemessages()

    # when
    written = tool.compile_catalogue(po_path)

    # then the .mo carries the translation, and neither the fuzzy nor the empty one
    assert written is True
    with po_path.with_suffix(".mo").open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.gettext("Appeal") == "Звернення"
    assert translations.gettext("Executor") == "Executor"
    assert translations.gettext("Topic") == "Topic"
    assert tool.gaps(po_path) == (1, 1)
    assert tool.compile_catalogue(po_path) is False  # up to date: not rewritten


def _extract_msgids(tmp_path: Path) -> set[tuple[str, str]]:
    """Every (context, msgid) the code and templates mark for translation, extracted the way
    `makemessages` does it: templates through Django's templatize, then GNU xgettext."""
    from django.utils.translation.template import templatize

    sources = [p for p in (ROOT / "vikno").rglob("*.py")
               if "tests" not in p.parts and "migrations" not in p.parts]
    for template in (ROOT / "vikno").rglob("templates/**/*.html"):
        converted = tmp_path / (str(template.relative_to(ROOT)).replace("/", "__") + ".py")
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)),
                             encoding="utf-8")
        sources.append(converted)
    pot = tmp_path / "extracted.pot"
    keywords = ["gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2",
                "npgettext:1c,2,3", "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3"]
    xgettext = shutil.which("xgettext")
    assert xgettext is not None
    subprocess.run(  # noqa: S603 - our own file list, no shell
        [xgettext, "--language=Python", "--from-code=UTF-8", "--no-wrap", "-o", str(pot),
         *(f"--keyword={k}" for k in keywords), *map(str, sources)],
        check=True, capture_output=True,
    )
    return {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(pot)) if e.msgid}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext: apt-get install gettext")
def test_every_text_in_the_code_has_a_ukrainian_translation(tmp_path):
    # given every text the code and the templates mark for translation
    extracted = _extract_msgids(tmp_path)
    assert len(extracted) > 100

    # when they are looked up in the Ukrainian catalogue
    catalogue = polib.pofile(str(UK_CATALOGUE))
    translated = {(e.msgctxt or "", e.msgid) for e in catalogue.translated_entries()}

    # then none is missing: a text without a translation shows in English on a Ukrainian page
    missing = sorted(extracted - translated)
    assert not missing, f"{len(missing)} texts lack a Ukrainian translation, e.g. {missing[:10]}"


def _ukrainian_texts() -> list[tuple[str, str]]:
    catalogue = polib.pofile(str(UK_CATALOGUE))
    return [(e.msgid, text) for e in catalogue.translated_entries()
            for text in (e.msgstr, *e.msgstr_plural.values()) if text]


# An authority's name cannot be declined by a template («Батівська селищна рада повернув», «у
# виконавця Іршавська міська рада»): it stands in the nominative after a label and a colon, in a
# list after a comma, or in quotation marks.
NOMINATIVE_BEFORE = (": ", ", ", "«")


def test_ukrainian_messages_keep_authority_names_in_the_nominative():
    misplaced = [
        (msgid, text) for msgid, text in _ukrainian_texts()
        for match in re.finditer(r"%\((authority|authorities|body|decider_body)\)s", text)
        if not text[:match.start()].endswith(NOMINATIVE_BEFORE)
    ]

    assert not misplaced, misplaced[:5]


def test_ukrainian_messages_use_one_style_of_quotation_marks():
    mixed = [(msgid, text) for msgid, text in _ukrainian_texts() if re.search(r"[“”„]", text)]

    assert not mixed, mixed[:5]
