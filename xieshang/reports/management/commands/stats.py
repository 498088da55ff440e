"""`xieshang stats proposals --committee changji --year 2024 [--session ID] [--json]`
`xieshang stats opinions --committee changji --year 2024 [--json]`
`xieshang stats grassroots --committee changji --year 2024 [--json]`
`xieshang stats consultation --committee changji --year 2024 [--json]`
`xieshang stats liaison --committee changji --year 2024 [--json]` (xieshang.liaison.stats: the line to the Party committee)

Prints the proposal statistics of a committee (the figures of `reports.proposal_stats`, the same as
the statistics page): a table of figures and the breakdown by handling unit, or with --json every
figure and breakdown as one JSON object (keys such as received, registered, replied, reply_rate,
satisfaction_rate; rates are numbers from 0 to 1, or null when there is nothing to divide).
`opinions` prints the opinion report statistics (`reports.opinion_stats`: received, forwarded, adopted,
instructions, adoption_rate …) the same way; `grassroots` the grassroots consultation statistics
(`reports.grassroots_stats`: stations, studios, sector_studios, activities, demands_received,
demands_answered, answer_rate, on_time_rate … and by_county); `consultation` the year's meetings
(`consultation.stats`: meetings by form, meetings_total, attendance, speeches, outcome_reports).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xieshang.core.models import Committee, Session
from xieshang.reports.exports import OVERVIEW_FIGURES
from xieshang.reports.proposal_stats import FIGURES, RATES, proposal_statistics


class Command(BaseCommand):
    help = ("Print statistics: `stats proposals|opinions|grassroots|consultation --committee CODE [--year YYYY] "
            "[--session ID] [--json]`.")

    def add_arguments(self, parser):
        parser.add_argument("subject", choices=["proposals", "opinions", "grassroots", "consultation", "liaison"],
                            help="what to count (proposals, opinions, grassroots, consultation)")
        parser.add_argument("--committee", required=True, help="the committee's code, e.g. changji")
        parser.add_argument("--year", type=int, help="the year of the sessions to count")
        parser.add_argument("--session", type=int, help="the id of one session")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, subject, committee, year, session, json, **options):
        found = Committee.objects.filter(code=committee).first()
        if found is None:
            raise CommandError(f"No committee with the code {committee!r}.")
        if subject == "opinions":
            if session is not None:
                raise CommandError("--session is for proposals; opinion reports count by --year.")
            from xieshang.reports.opinion_stats import print_opinion_statistics

            print_opinion_statistics(self.stdout, found, year, as_json=json)
            return
        if subject == "grassroots":
            if session is not None:
                raise CommandError("--session is for proposals; grassroots statistics count by --year.")
            from xieshang.reports.grassroots_stats import print_grassroots_statistics

            print_grassroots_statistics(self.stdout, found, year, as_json=json)
            return
        if subject == "consultation":  # meetings by form (xieshang.consultation.stats); the year: this one by default
            if session is not None:
                raise CommandError("--session is for proposals; consultation statistics count by --year.")
            from xieshang.consultation.stats import print_meeting_statistics
            from xieshang.core import clock
            from xieshang.inspections.stats import print_with_consultation  # + inspections, supervision (#14)

            print_with_consultation(print_meeting_statistics, self.stdout, found, year or clock.today().year, as_json=json)
            return
        if subject == "liaison":  # the line to the Party committee (xieshang.liaison.stats); this year by default
            if session is not None:
                raise CommandError("--session is for proposals; liaison statistics count by --year.")
            from xieshang.core import clock
            from xieshang.liaison.stats import print_liaison_statistics

            print_liaison_statistics(self.stdout, found, year or clock.today().year, as_json=json)
            return
        session_obj = None
        if session is not None:
            session_obj = Session.objects.filter(pk=session, term__committee=found).select_related("term").first()
            if session_obj is None:
                raise CommandError(f"No session {session} in the committee {committee!r}.")
        stats = proposal_statistics(found, year=year, session=session_obj)
        if json:
            self.stdout.write(_dumps(stats))
            return
        self._table(found, stats, year, session_obj)

    def _table(self, committee, stats, year, session):
        scope = str(session) if session is not None else (str(year) if year else _("All years"))
        self.stdout.write(f"{committee.name} · {scope}")
        rows = [(str(FIGURES[key].label), str(stats[key])) for key in OVERVIEW_FIGURES]
        rows += [(str(label), stats[f"{key}_display"]) for key, label in RATES.items()]
        width = max(_width(label) for label, _v in rows)
        for label, value in rows:
            self.stdout.write(f"  {_pad(label, width)}  {value:>6}")
        if stats["by_unit"]:
            self.stdout.write("")
            self.stdout.write(_("By handling unit") + f" ({_('Assignments')} / {_('Replies')} / {_('Replied on time')} / A / B / C)")
            unit_width = max(_width(u["unit"]) for u in stats["by_unit"])
            for u in stats["by_unit"]:
                self.stdout.write(
                    f"  {_pad(u['unit'], unit_width)}  {u['assignments']:>4} {u['replies']:>4} {u['on_time']:>4}"
                    f" {u['outcome_a']:>4} {u['outcome_b']:>4} {u['outcome_c']:>4}"
                )


def _dumps(stats) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2, default=str)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
