"""Every string of the API that people read has its Chinese translation in the API's PO fragment."""

import ast
from pathlib import Path

import polib

API_DIR = Path(__file__).resolve().parent.parent
FRAGMENT = API_DIR.parent / "locale" / "fragments" / "api.po"
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def translatable_strings() -> set[tuple[str, str | None]]:
    found = set()
    for path in API_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if not args:
                continue
            found.add((args[0], args[1] if node.func.id.startswith("ngettext") else None))
    return found


def test_the_scan_finds_the_strings():
    strings = {msgid for msgid, _plural in translatable_strings()}
    assert "Sign in, or send a valid API token (Authorization: Bearer …)." in strings
    assert "API token" in strings


def test_every_string_has_a_chinese_translation():
    entries = {e.msgid: e for e in polib.pofile(str(FRAGMENT))}
    missing = []
    for msgid, plural in sorted(translatable_strings()):
        entry = entries.get(msgid)
        if entry is None or not (entry.msgstr or any(entry.msgstr_plural.values())):
            missing.append(msgid)
        elif plural is not None and entry.msgid_plural != plural:
            missing.append(f"{msgid} (plural)")
    assert missing == []
