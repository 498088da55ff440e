"""`xieshang calendar sync [--years 2025 2026]` and `xieshang calendar check [--years …]`.

The national working-day calendar (holidays on weekdays, make-up working days on weekends)
comes from the `chinese-calendar` package; upgrade the package after the State Council
publishes the next year's arrangement (each December), then run `sync`. `check` lists the
years that have no data, for which deadlines fall back to plain Monday–Friday weeks.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from xieshang.core import calendar


def _package_years() -> list[int]:
    import chinese_calendar

    return sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})


def _ranges(years) -> str:
    """2019, 2020, 2021, 2023 → '2019–2021, 2023'."""
    years = sorted(years)
    if not years:
        return "none"
    parts, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


class Command(BaseCommand):
    help = "Load the national holiday calendar (sync) or list the years without holiday data (check)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sync,check}")
        sync = sub.add_parser("sync", help="Add the national holidays of the chinese-calendar package (existing rows are kept).")
        sync.add_argument("--years", nargs="+", type=int, metavar="YEAR", help="Only these years (default: every year the package knows).")
        check = sub.add_parser("check", help="List the years without holiday data; exits with status 1 when one is missing.")
        check.add_argument(
            "--years", nargs="+", type=int, metavar="YEAR",
            help="The years to check (default: from last year to next year).",
        )

    def handle(self, *args, **options):
        # (Not `check`: that name is BaseCommand's system-check hook.)
        if options["action"] == "sync":
            return self.sync_years(options["years"])
        return self.check_years(options["years"])

    def sync_years(self, years):
        known = _package_years()
        if years:
            unknown = sorted(set(years) - set(known))
            if unknown:
                self.stderr.write(
                    f"The chinese-calendar package has no data for {_ranges(unknown)} (it covers {_ranges(known)}); "
                    "upgrade it, or enter those days on the calendar administration screen."
                )
        added = calendar.load_from_package(sorted(set(years)) if years else None)
        self.stdout.write(f"Added {added} day(s) to the national calendar.")
        self.stdout.write(f"Years with holiday data: {_ranges(calendar.years_with_data())}.")

    def check_years(self, years):
        if not years:
            this_year = datetime.date.today().year
            years = [this_year - 1, this_year, this_year + 1]
        missing = calendar.years_without_data(years)
        self.stdout.write(f"Years with holiday data: {_ranges(calendar.years_with_data())}.")
        if missing:
            self.stdout.write(
                f"No holiday data for: {', '.join(map(str, missing))}. Deadlines in those years count "
                "Monday to Friday only; run `xieshang calendar sync` after upgrading chinese-calendar, "
                "or enter the days on the calendar administration screen."
            )
            raise SystemExit(1)
        self.stdout.write(f"Every year has holiday data: {', '.join(map(str, sorted(set(years))))}.")
