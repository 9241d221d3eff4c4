"""Merge translated JSON entries (msgid → msgstr) into a gettext catalogue.

Usage: python bin/po_merge_json.py vikno/locale/uk/LC_MESSAGES/django.po part1.json [part2.json …]
Only empty entries are filled; existing translations are kept.
"""

import json
import sys

import polib  # type: ignore[import-untyped]


def main() -> None:
    po = polib.pofile(sys.argv[1])
    by_key = {(e.msgctxt, e.msgid): e for e in po}
    filled = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as handle:
            items = json.load(handle)
        for item in items:
            entry = by_key.get((item.get("msgctxt"), item["msgid"]))
            if entry is None:
                continue
            if item.get("msgid_plural"):
                if not any(entry.msgstr_plural.values()):
                    entry.msgstr_plural = {int(k): v for k, v in item["msgstr_plural"].items()}
                    filled += 1
            elif not entry.msgstr and item.get("msgstr"):
                entry.msgstr = item["msgstr"]
                filled += 1
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    print(f"filled {filled}; untranslated left {len(po.untranslated_entries())}")


if __name__ == "__main__":
    main()
