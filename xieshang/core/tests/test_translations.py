"""Every interface string has its Chinese translation, and the compiled catalogue is current."""

from pathlib import Path

import polib

import xieshang

CATALOGUE = Path(xieshang.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated():
    po = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr, entry.msgstr_plural), entry.msgid


GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _python_strings() -> set[tuple[str | None, str]]:
    """(context, msgid) of every literal gettext call in the package's Python code (tests excluded)."""
    import ast

    found = set()
    root = CATALOGUE.parents[3]
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in GETTEXT and literals and len(literals) == len(node.args[: len(literals)]):
                found.add((None, literals[0]))
            elif name in PGETTEXT and len(literals) >= 2:
                found.add((literals[0], literals[1]))
    return found


def test_every_string_in_the_code_is_in_the_catalogue():
    """A string that makemessages cannot see (an aliased gettext, a forgotten `make messages`)
    would stay English on the Chinese interface."""
    po = polib.pofile(str(CATALOGUE))
    translated = {(e.msgctxt, e.msgid) for e in po.translated_entries()}
    strings = _python_strings()
    assert len(strings) > 300  # the scan works
    missing = sorted(msgid for key in strings if key not in translated for msgid in [key[1]])
    assert missing == []


def test_no_gettext_function_is_imported_under_another_name():
    """makemessages finds only `_`, `gettext`, `gettext_lazy` …: a string marked through an alias
    (`gettext_lazy as _lazy`) is never extracted and stays English on the Chinese interface."""
    import ast

    allowed = GETTEXT | PGETTEXT
    root = CATALOGUE.parents[3]
    aliased = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for name in node.names:
                    if "gettext" in name.name and name.asname and name.asname not in allowed:
                        aliased.append(f"{path.relative_to(root)}: {name.name} as {name.asname}")
    assert aliased == []
