"""Translation catalogue upkeep.

  python scripts/i18n.py merge   fill empty msgstr in the zh_Hans catalogue from locale/fragments/*.po
  python scripts/i18n.py compile compile every .po to .mo (polib: no GNU gettext needed)
  python scripts/i18n.py check   list untranslated entries; exit 1 if any

`make messages` regenerates the catalogue from the source with Django's makemessages (GNU gettext),
then merges and compiles.
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "xieshang" / "locale"
CATALOGUE = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"


def merge() -> None:
    po = polib.pofile(str(CATALOGUE))
    known = {}
    for fragment in sorted((LOCALE / "fragments").glob("*.po")):
        for entry in polib.pofile(str(fragment)):
            if entry.msgstr or entry.msgstr_plural:
                known[(entry.msgctxt, entry.msgid)] = entry
    filled = 0
    for entry in po:
        source = known.get((entry.msgctxt, entry.msgid))
        if source is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = source.msgstr_plural or {0: source.msgstr}
        else:
            entry.msgstr = source.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    po.save()
    print(f"merged {filled} translations from fragments")


def compile_all() -> None:
    for path in LOCALE.glob("*/LC_MESSAGES/*.po"):
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
        print(f"compiled {path.relative_to(LOCALE)}")


def check() -> int:
    po = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po.translated_entries())} translated, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "merge":
        merge()
    elif command == "compile":
        compile_all()
    else:
        sys.exit(check())
