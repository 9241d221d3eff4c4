#!/usr/bin/env python3
"""Compile every vikno/locale/*/LC_MESSAGES/*.po catalogue to .mo with polib.

Django's own `compilemessages` needs GNU gettext's msgfmt; polib is pure Python, so a fresh
machine with only Python can build the catalogues. A .mo is rewritten only when its .po is newer.
Fuzzy entries are left out, as msgfmt does by default.

Usage: bin/compilemessages.py [--force] [--check]
  --force  rebuild every catalogue
  --check  exit 1 if any catalogue has untranslated or fuzzy entries (after compiling)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "vikno" / "locale"
SOURCE_LANGUAGE = "en"


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogue(po_path: Path, *, force: bool = False) -> bool:
    """Write the .mo beside `po_path`; return whether it was (re)written."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    catalogue = polib.pofile(str(po_path))
    # polib keeps fuzzy entries in the .mo unless they are dropped first; msgfmt drops them.
    for entry in catalogue.fuzzy_entries():
        catalogue.remove(entry)
    catalogue.save_as_mofile(str(mo_path))
    return True


def gaps(po_path: Path) -> tuple[int, int]:
    """(untranslated, fuzzy) entry counts of one catalogue, obsolete entries excluded."""
    catalogue = polib.pofile(str(po_path))
    return len(catalogue.untranslated_entries()), len(catalogue.fuzzy_entries())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild every catalogue")
    parser.add_argument("--check", action="store_true",
                        help="fail when a catalogue has untranslated or fuzzy entries")
    args = parser.parse_args(argv)

    found = catalogues()
    if not found:
        print(f"compilemessages: no catalogues under {LOCALE_DIR.relative_to(ROOT)}")
        return 0
    failing = 0
    for po_path in found:
        written = compile_catalogue(po_path, force=args.force)
        name = po_path.relative_to(ROOT)
        state = "compiled" if written else "up to date"
        if po_path.parent.parent.name == SOURCE_LANGUAGE:
            # The msgids are English already: an empty msgstr falls back to them.
            print(f"compilemessages: {name}: {state} (source language)")
            continue
        untranslated, fuzzy = gaps(po_path)
        print(f"compilemessages: {name}: {state}; {untranslated} untranslated, {fuzzy} fuzzy")
        if untranslated or fuzzy:
            failing += 1
    return 1 if args.check and failing else 0


if __name__ == "__main__":
    sys.exit(main())
