"""Compile the .po catalogues to .mo with polib (no GNU gettext needed to run the platform)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "xieshang" / "locale"


def main() -> None:
    for po_path in ROOT.glob("*/LC_MESSAGES/*.po"):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(ROOT)}: {len(po.translated_entries())} translated, "
              f"{len(po.untranslated_entries())} untranslated, {len(po.fuzzy_entries())} fuzzy")


if __name__ == "__main__":
    main()
