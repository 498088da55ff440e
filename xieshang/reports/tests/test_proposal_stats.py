"""The statistics on the hand-built year of `conftest.year_2024` (rows created directly, see builders.py).

Proposals of 2024 (P1…P18) and what each counts as:
  P1 draft, P2 co-signing, P3 withdrawn before submission  → not received
  P4 withdrawn after submission → withdrawn;  P5 submitted, P6 returned → under review
  P7 rejected, P8 converted, P9 merged (into P10)
  P10 registered; P11 assigned (U1 sole); P12 handling (U1 lead, U2 co sent views); P17 handling
      (U3 cancelled, U1 sole), key                                            → registered, not replied
  P13 replied (U1 A); P14 closed (U2 lead B satisfied, U1 co); P15 closed (split: U1 A satisfied,
      U2 C late basically satisfied), key, excellent; P16 closed (U2: round 1 C dissatisfied,
      round 2 B satisfied); P18 archived (U1 A dissatisfied)                  → replied
"""

import pytest

from xieshang.reports.proposal_stats import (
    FIGURES,
    figure_list_params,
    proposal_statistics,
    proposal_statistics_records,
)

pytestmark = pytest.mark.django_db

EXPECTED = {
    "received": 15,
    "under_review": 2,
    "registered": 9,
    "merged": 1,
    "converted": 1,
    "rejected": 1,
    "withdrawn": 1,
    "replied": 5,
    "key": 2,
    "excellent": 1,
    "replies": 6,
    "outcome_a": 3,
    "outcome_b": 2,
    "outcome_c": 1,
    "on_time": 5,
    "evaluated": 5,
    "satisfied": 3,
    "basically_satisfied": 1,
    "dissatisfied": 1,
    "not_evaluated": 1,
}


def test_figures_of_the_year(year_2024):
    stats = proposal_statistics(year_2024["committee"], year=2024)
    assert {k: stats[k] for k in EXPECTED} == EXPECTED
    assert stats["reply_rate"] == pytest.approx(5 / 9, abs=1e-4)
    assert stats["reply_rate_display"] == "55.6%"
    assert stats["satisfaction_rate"] == pytest.approx(0.8)
    assert stats["satisfaction_rate_display"] == "80%"
    assert stats["on_time_reply_rate"] == pytest.approx(5 / 6, abs=1e-4)
    assert stats["on_time_reply_rate_display"] == "83.3%"
    assert stats["outcomes"] == {"A": 3, "B": 2, "C": 1}


def test_received_is_the_sum_of_its_outcomes(year_2024):
    s = proposal_statistics(year_2024["committee"], year=2024)
    assert s["received"] == sum(s[k] for k in ("under_review", "registered", "merged", "converted", "rejected", "withdrawn"))


def test_session_filter_equals_year_here_and_other_years_are_separate(year_2024):
    committee = year_2024["committee"]
    by_session = proposal_statistics(committee, session=year_2024["session"])
    assert {k: by_session[k] for k in EXPECTED} == EXPECTED
    all_years = proposal_statistics(committee)
    assert all_years["registered"] == 10 and all_years["replied"] == 6 and all_years["satisfied"] == 4
    empty = proposal_statistics(committee, year=2023)
    assert empty["received"] == 0 and empty["reply_rate"] is None and empty["reply_rate_display"] == "—"


def test_breakdown_by_unit(year_2024):
    stats = proposal_statistics(year_2024["committee"], year=2024)
    units = {row["unit"]: row for row in stats["by_unit"]}
    assert set(units) == {"州教育局", "州住房和城乡建设局"}  # U3's only assignment was cancelled
    u1, u2 = units["州教育局"], units["州住房和城乡建设局"]
    assert (u1["assignments"], u1["answering"], u1["co"]) == (7, 6, 1)
    assert (u1["replies"], u1["on_time"], u1["outcome_a"], u1["outcome_b"], u1["outcome_c"]) == (3, 3, 3, 0, 0)
    assert (u1["satisfied"], u1["dissatisfied"], u1["evaluated"]) == (1, 1, 2)
    assert (u2["assignments"], u2["answering"], u2["co"]) == (4, 3, 1)
    assert (u2["replies"], u2["on_time"], u2["outcome_b"], u2["outcome_c"]) == (3, 2, 2, 1)
    assert u2["on_time_reply_rate_display"] == "66.7%"
    assert u2["satisfaction_rate_display"] == "100%"
    assert [row["unit"] for row in stats["by_unit"]] == ["州教育局", "州住房和城乡建设局"]  # most assignments first


def test_breakdown_by_category_and_sector(year_2024):
    stats = proposal_statistics(year_2024["committee"], year=2024)
    categories = {row["key"]: row for row in stats["by_category"]}
    assert set(categories) == {"economy", "other"}
    assert (categories["economy"]["received"], categories["economy"]["registered"], categories["economy"]["replied"]) == (2, 2, 2)
    assert (categories["other"]["received"], categories["other"]["registered"], categories["other"]["replied"]) == (13, 7, 3)
    assert categories["economy"]["reply_rate_display"] == "100%"
    sectors = {row["key"]: row for row in stats["by_sector"]}
    assert (sectors["经济界"]["received"], sectors["经济界"]["registered"], sectors["经济界"]["replied"]) == (3, 3, 3)
    assert (sectors["农业界"]["received"], sectors["农业界"]["registered"], sectors["农业界"]["replied"]) == (12, 6, 2)


def test_a_fixed_number_of_queries(year_2024, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # 6, and the committee's category list (core.categories; cached after)
        proposal_statistics(year_2024["committee"], year=2024)


@pytest.mark.parametrize("figure", sorted(EXPECTED))
def test_every_figure_is_traceable_to_its_records(year_2024, figure):
    records = proposal_statistics_records(year_2024["committee"], figure, year=2024)
    assert records.count() == EXPECTED[figure]


def test_records_name_the_proposals(year_2024):
    P = year_2024["proposals"]
    committee = year_2024["committee"]
    replied = set(proposal_statistics_records(committee, "replied", year=2024).values_list("pk", flat=True))
    assert replied == {P[n].pk for n in (13, 14, 15, 16, 18)}
    late = proposal_statistics_records(committee, "replies", year=2024).filter(is_on_time=False)
    assert [r.proposal_id for r in late] == [P[15].pk]
    # Round 2 replaced round 1 for P16: its final reply is B, satisfied.
    final16 = proposal_statistics_records(committee, "replies", year=2024).get(proposal=P[16])
    assert (final16.round, final16.outcome, final16.evaluation.verdict) == (2, "planned", "satisfied")


def test_breakdown_records_match_their_rows(year_2024):
    committee = year_2024["committee"]
    stats = proposal_statistics(committee, year=2024)
    for row in stats["by_unit"]:
        for figure in ("assignments", "answering", "co", "replies", "on_time", "outcome_a", "outcome_b", "outcome_c"):
            assert proposal_statistics_records(committee, figure, year=2024, unit=row["unit_id"]).count() == row[figure]
    for row in stats["by_category"]:
        for figure in ("received", "registered", "replied"):
            assert proposal_statistics_records(committee, figure, year=2024, category=row["key"]).count() == row[figure]
    for row in stats["by_sector"]:
        for figure in ("received", "registered", "replied"):
            assert proposal_statistics_records(committee, figure, year=2024, sector=row["key"]).count() == row[figure]


def test_unknown_figure_is_refused(year_2024):
    from xieshang.reports.proposal_stats import UnknownFigure

    with pytest.raises(UnknownFigure):
        proposal_statistics_records(year_2024["committee"], "nonsense")
    assert "replied" in FIGURES


def test_list_params_only_where_the_list_is_exact():
    assert figure_list_params("merged", year=2024) == {"state": "merged", "year": "2024"}
    assert figure_list_params("registered", year=2024) is None


def test_sector_falls_back_to_the_lead_proposers_sector(year_2024):
    """A proposal without a recorded sector (e.g. made before submission recorded it) counts under the
    lead proposer's sector, as the proposal list filters it; one with neither counts under (none)."""
    from xieshang.proposals.models import Proposal

    P = year_2024["proposals"]
    Proposal.objects.filter(pk=P[13].pk).update(sector_name="")  # 张三 is in 经济界
    Proposal.objects.filter(pk=P[14].pk).update(sector_name="")
    year_2024["members"][0].__class__.objects.filter(pk=year_2024["members"][0].pk).update(sector=None)
    committee = year_2024["committee"]
    stats = proposal_statistics(committee, year=2024)
    sectors = {row["key"]: row for row in stats["by_sector"]}
    assert sectors["经济界"]["received"] == 1 and sectors[""]["received"] == 2
    assert proposal_statistics_records(committee, "received", year=2024, sector="").count() == 2
    assert proposal_statistics_records(committee, "received", year=2024, sector="经济界").count() == 1
