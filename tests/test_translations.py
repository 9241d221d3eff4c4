"""The interface speaks Ukrainian first: the Ukrainian catalogue must be complete.

Also checks bin/compilemessages.py, which builds the .mo files without GNU gettext.
"""

from __future__ import annotations

import gettext
import importlib.util
import re
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
