"""`xieshang demo`: load the demo committee (昌吉州政协) and every app's demo data. Idempotent.

`make run` calls it after `migrate`. The core data comes from `xieshang.core.demo_data.load_demo`;
each app then adds its own, through the loaders it declares (`Declarations.demo_loaders`).
"""

import importlib
import inspect
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from xieshang.core.demo_data import load_demo

# ──────────────────────────────────────────────────────────────────────────────────────────────
# FURTHER DEMO LOADERS — add yours here, in the order they must run (after the core data).
#
# Each entry is the dotted path of a function `load(demo, stdout=None)`:
#   * `demo` is the dict returned by `xieshang.core.demo_data.load_demo()` (committee, term,
#     sessions {year: Session}, current_session, sectors, special_committees, organizations
#     {name: row}, units {short name: HandlingUnit}, users {username: User}, members
#     {username: Member}, …), with whatever the loaders before it returned merged in;
#   * `stdout` is the command's output stream (write a line or two, or nothing);
#   * it must be idempotent (natural keys, get_or_create / update_or_create): running the
#     command twice creates nothing new;
#   * it may return a dict, which is merged into `demo` for the loaders after it.
# Each loader runs in its own transaction. A path whose module does not exist yet is skipped.
# ──────────────────────────────────────────────────────────────────────────────────────────────
# The apps declare their loaders (xieshang.core.registry: `Declarations.demo_loaders`, run in INSTALLED_APPS
# order); a test may set a list here instead.
DEMO_LOADERS: list[str] | None = None


def loaders() -> list[str]:
    from xieshang.core import registry

    return list(DEMO_LOADERS) if DEMO_LOADERS is not None else registry.demo_loaders()


def _module_missing(module_path: str) -> bool:
    """True if the module of a loader (or its package) does not exist; an import error raised
    *inside* an existing module is not hidden."""
    try:
        importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_path == missing or module_path.startswith(missing + "."):
            return True
        raise
    return False


def run_loader(path: str, demo: dict, stdout=None):
    """Call one loader with the arguments its signature accepts. Returns what it returned,
    or None if its module does not exist (yet)."""
    module_path, _, _name = path.rpartition(".")
    if _module_missing(module_path):
        return None
    try:
        func = import_string(path)
    except ImportError as exc:
        raise CommandError(f"demo loader {path}: {exc}") from exc
    params = inspect.signature(func).parameters.values()
    positional = [
        p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "stdout"
    ]
    accepts_stdout = any(p.name == "stdout" or p.kind == p.VAR_KEYWORD for p in params)
    args = [demo] if positional else []
    kwargs = {"stdout": stdout} if accepts_stdout else {}
    with transaction.atomic():
        return func(*args, **kwargs)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def account_table(accounts: list[dict]) -> str:
    header = {"username": "account", "password": "password", "full_name": "name", "description": "role"}
    rows = [header, *accounts]
    cols = list(header)
    widths = {c: max(_width(str(r[c])) for r in rows) for c in cols}
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(_pad(str(row[c]), widths[c]) for c in cols).rstrip())
        if i == 0:
            lines.append("  ".join("-" * widths[c] for c in cols))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load the demo committee 昌吉回族自治州政协 with its members, units and demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--core-only", action="store_true", help="Load only the core data, not the apps' demo data.")

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write("Loading the demo committee 昌吉回族自治州政协 (changji) …")
        demo = load_demo(stdout=self.stdout)
        if not options["core_only"]:
            for path in loaders():
                result = run_loader(path, demo, stdout=self.stdout)
                if isinstance(result, dict):
                    demo.update(result)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s. Demo accounts:"))
        self.stdout.write(account_table(demo["accounts"]))
