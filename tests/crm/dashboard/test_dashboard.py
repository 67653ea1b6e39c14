"""CRM dashboards: every figure checked against a small planted book of deals with hand-computed values.

The demo data is in the database too, so every filter names the planted owners (900001, 900002)
and the planted deals live in 2090, after anything the demo holds. The period is Q1 2090 (90 days); the
one it is compared with is the first 90 days of Q4 2089, 2089-10-01..2089-12-29 (crm.dashboard.schemas.
previous_period), and "last year" is Q1 2089.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from nexus360.auth.schemas import Principal
from nexus360.common.errors import AuthorizationError, ValidationError
from nexus360.crm.dashboard import repository as dashboard_queries
from nexus360.crm.dashboard import service as dashboards
from nexus360.crm.dashboard.schemas import DashboardFilters
from nexus360.crm.models import Company, Country, Deal, DealStage, DealStageChange, Industry
from nexus360.db import Database

ANN, BOB = 900001, 900002
TODAY = date(2090, 4, 10)
# Reads every seller's figures (a manager's view); REP reads the CRM and their own figures only.
READER = Principal(id=1, email="reader@nexus360.example.com",
                   permissions=frozenset({"crm.read", "commissions.read_all"}))
REP = Principal(id=ANN, email="ann@nexus360.example.com",
                permissions=frozenset({"crm.read", "crm.write", "commissions.read_own"}))
STRANGER = Principal(id=2, email="stranger@nexus360.example.com", permissions=frozenset({"chat.use"}))


@dataclass
class Book:
    stages: dict[str, int]
    industries: dict[str, int]
    countries: dict[str, int]
    deals: dict[str, int]

    def filters(self, **changes) -> DashboardFilters:
        base = DashboardFilters(start=date(2090, 1, 1), end=date(2090, 3, 31), owner_ids=(ANN, BOB))
        return replace(base, **changes)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


# name: owner, company, stage, amount, close date, created day, stage path ((stage, entered day), ...)
DEALS = {
    # closed in the period
    "d1": (ANN, "c1", "Closed Won", 10_000, "2090-01-10", "2089-12-01",
           [("Prospecting", "2089-12-01"), ("Qualification", "2089-12-02"), ("Needs Analysis", "2089-12-20"),
            ("Proposal", "2089-12-22"), ("Negotiation", "2089-12-30"), ("Closed Won", "2090-01-10")]),
    "d2": (ANN, "c2", "Closed Won", 36_000, "2090-02-20", "2090-01-01",
           [("Prospecting", "2090-01-01"), ("Qualification", "2090-01-11"), ("Needs Analysis", "2090-01-13"),
            ("Proposal", "2090-01-24"), ("Negotiation", "2090-02-01"), ("Closed Won", "2090-02-20")]),
    "d3": (BOB, "c1", "Closed Won", 20_000, "2090-03-05", "2090-02-03",
           [("Prospecting", "2090-02-03"), ("Qualification", "2090-02-07"), ("Needs Analysis", "2090-02-13"),
            ("Proposal", "2090-02-20"), ("Negotiation", "2090-02-25"), ("Closed Won", "2090-03-05")]),
    "d13": (BOB, "c3", "Closed Won", 4_000, "2090-03-20", "2090-03-01",
            [("Prospecting", "2090-03-01"), ("Qualification", "2090-03-03"), ("Needs Analysis", "2090-03-07"),
             ("Proposal", "2090-03-10"), ("Negotiation", "2090-03-15"), ("Closed Won", "2090-03-20")]),
    "d4": (BOB, "c2", "Closed Lost", 5_000, "2090-02-01", "2090-01-05", []),
    "d5": (ANN, "c3", "Closed Lost", 7_000, "2090-03-31", "2090-02-01", []),
    "d14": (BOB, "c2", "Closed Lost", 2_000, "2090-01-20", "2090-01-02", []),
    # the period before, its edges, and after the period
    "d6": (ANN, "c1", "Closed Won", 8_000, "2089-12-29", "2089-11-01", []),
    "d7": (BOB, "c2", "Closed Lost", 4_000, "2089-10-03", "2089-09-01", []),
    "d8": (BOB, "c1", "Closed Lost", 1_000, "2089-09-30", "2089-09-01", []),
    "d15": (ANN, "c2", "Closed Lost", 3_000, "2089-12-30", "2089-11-01", []),
    "d12": (ANN, "c1", "Closed Lost", 50_000, "2090-04-01", "2090-03-01", []),
    # a year earlier
    "d9": (ANN, "c1", "Closed Won", 12_000, "2089-01-15", "2088-12-01", []),
    "d10": (BOB, "c2", "Closed Won", 6_000, "2089-03-31", "2089-02-01", []),
    # open now
    "o1": (ANN, "c1", "Prospecting", 10_000, "2090-06-30", "2090-04-05", [("Prospecting", "2090-04-05")]),
    "o2": (ANN, "c2", "Needs Analysis", 20_000, "2090-04-05", "2090-03-01",
           [("Prospecting", "2090-03-01"), ("Qualification", "2090-03-10"), ("Needs Analysis", "2090-04-01")]),
    "o3": (BOB, "c1", "Proposal", 40_000, "2090-07-31", "2090-02-01",
           [("Prospecting", "2090-02-01"), ("Qualification", "2090-02-10"), ("Needs Analysis", "2090-02-20"),
            ("Proposal", "2090-03-01")]),
    "o4": (BOB, "c3", "Negotiation", 50_000, "2090-05-15", "2089-12-01",
           [("Prospecting", "2089-12-01"), ("Negotiation", "2090-01-05"), ("Proposal", "2090-01-20"),
            ("Negotiation", "2090-04-01")]),
    "o5": (ANN, "c2", "Qualification", 15_000, "2090-09-30", "2090-03-01", []),  # no history: since created
}


@pytest.fixture
def crm(db):
    return db(Database.CRM)


@pytest.fixture
def book(crm) -> Book:
    stages = dict(crm.execute(select(DealStage.name, DealStage.id)).all())
    industries = {name: Industry(name=name) for name in ("Planted Industry A", "Planted Industry B")}
    countries = {
        "Plantland": Country(name="Plantland", iso_code_2="XA", iso_code_3="XAA"),
        "Otherland": Country(name="Otherland", iso_code_2="XB", iso_code_3="XBB"),
    }
    crm.add_all([*industries.values(), *countries.values()])
    crm.flush()
    companies = {
        "c1": Company(name="Planted One", industry_id=industries["Planted Industry A"].id,
                      country_id=countries["Plantland"].id),
        "c2": Company(name="Planted Two", industry_id=industries["Planted Industry B"].id,
                      country_id=countries["Otherland"].id),
        "c3": Company(name="Planted Three"),
    }
    crm.add_all(companies.values())
    crm.flush()
    deals = {}
    for name, (owner, company, stage, amount, close, created, _path) in DEALS.items():
        deals[name] = Deal(title=f"Deal {name}", company_id=companies[company].id, stage_id=stages[stage],
                           amount=Decimal(amount), close_date=date.fromisoformat(close), owner_id=owner,
                           created_at=at(created))
    crm.add_all(deals.values())
    crm.flush()
    for name, (owner, *_rest, path) in DEALS.items():
        previous = None
        for stage, day in path:
            crm.add(DealStageChange(deal_id=deals[name].id, from_stage_id=previous, to_stage_id=stages[stage],
                                    changed_by=owner, changed_at=at(day)))
            previous = stages[stage]
    crm.flush()
    return Book(stages=stages, industries={k: v.id for k, v in industries.items()},
                countries={k: v.id for k, v in countries.items()}, deals={k: v.id for k, v in deals.items()})


@pytest.fixture
def three_latest_wins(monkeypatch) -> None:
    """Stage medians from the three most recently closed won deals: d13, d3 and d2."""
    monkeypatch.setattr(dashboard_queries, "MEDIAN_SAMPLE", 3)


# --- KPIs -----------------------------------------------------------------------------------------


def test_kpis_show_the_open_and_weighted_pipeline(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(), today=TODAY)

    assert (kpis.open_pipeline, kpis.open_deals) == (Decimal(135_000), 5)
    # 10k x 10% + 15k x 20% + 20k x 40% + 40k x 60% + 50k x 80%
    assert kpis.weighted_pipeline == Decimal("76000.00")
    assert kpis.overdue_deals == 1


def test_open_totals_ignore_the_period(crm, book) -> None:
    open_now = dashboards.get_open_totals(crm, READER, filters=book.filters().snapshot(TODAY), today=TODAY)
    other_period = book.filters(start=date(2089, 1, 1), end=date(2089, 6, 30))

    assert open_now == dashboards.get_open_totals(crm, READER, filters=other_period, today=TODAY)
    assert (open_now.open_pipeline, open_now.open_deals, open_now.overdue_deals) == (Decimal(135_000), 5, 1)


CHOICES = {  # owners and stages the page sums from one read of figures per owner and stage
    "both owners": {}, "one owner": {"owner_ids": (BOB,)}, "everyone": {"owner_ids": ()},
    "an open stage": {"stage_ids": ("Proposal",)}, "a closed stage": {"stage_ids": ("Closed Lost",)},
    "an owner and stages": {"owner_ids": (ANN,), "stage_ids": ("Negotiation", "Closed Won")},
}


@pytest.mark.parametrize("who", [READER, REP], ids=["manager", "rep"])
def test_one_read_per_owner_and_stage_serves_every_owner_and_stage_choice(crm, book, who) -> None:
    """The page reads the figures once by figures_filters (no owners or stages for a manager) and sums them for each
    owner and stage chosen (kpis_of, funnel_of): the figures of those filters, and planted values where known."""
    for name, choice in CHOICES.items():
        if who is REP and choice.get("owner_ids", (ANN, BOB)) not in ((), (ANN,)):
            continue
        stage_ids = tuple(book.stages[stage] for stage in choice.get("stage_ids", ()))
        filters = book.filters(**{**choice, "stage_ids": stage_ids})
        read_by = dashboards.figures_filters(who, filters)
        assert not read_by.stage_ids and (who is REP or not read_by.owner_ids), name
        start, end = filters.previous
        summed = dashboards.kpis_of(
            who, dashboards.get_open_figures(crm, who, filters=read_by, today=TODAY),
            dashboards.get_closed_figures(crm, who, filters=read_by),
            dashboards.get_closed_figures(crm, who, filters=replace(read_by, start=start, end=end)), filters)
        assert summed == dashboards.get_kpis(crm, who, filters=filters, today=TODAY), name
        funnel = dashboards.funnel_of(who, dashboards.get_open_figures(crm, who, filters=read_by, today=TODAY), filters)
        assert funnel["amount"].sum() == float(summed.open_pipeline), name
    bob = dashboards.get_kpis(crm, READER, filters=book.filters(owner_ids=(BOB,)), today=TODAY)
    assert (bob.current.won_amount, bob.current.won_deals, bob.current.lost_deals) == (Decimal(24_000), 2, 2)


def test_a_rep_reads_colleagues_figures_summed_never_one_by_one(crm, book) -> None:
    for filters in (book.filters(owner_ids=()), book.filters(owner_ids=(ANN,))):
        read_by = dashboards.figures_filters(REP, filters)
        for figures in (dashboards.get_open_figures(crm, REP, filters=read_by, today=TODAY),
                        dashboards.get_closed_figures(crm, REP, filters=read_by)):
            assert figures.rows and {row[0] for row in figures.rows} == {None}
    assert {row[0] for row in dashboards.get_closed_figures(crm, READER, filters=book.filters().by_company()).rows
            } >= {ANN, BOB}


def test_kpis_of_the_period_count_deals_closed_in_it_by_close_date(crm, book) -> None:
    current = dashboards.get_kpis(crm, READER, filters=book.filters(), today=TODAY).current

    assert (current.start, current.end) == (date(2090, 1, 1), date(2090, 3, 31))
    assert (current.won_amount, current.won_deals) == (Decimal(70_000), 4)
    assert (current.lost_amount, current.lost_deals) == (Decimal(14_000), 3)
    assert current.win_rate == pytest.approx(4 / 7)
    assert current.average_deal_size == Decimal("17500.00")
    assert current.average_sales_cycle_days == pytest.approx((40 + 50 + 30 + 19) / 4)


def test_kpis_compare_a_quarter_with_the_same_days_of_the_quarter_before(crm, book) -> None:
    previous = dashboards.get_kpis(crm, READER, filters=book.filters(), today=TODAY).previous

    assert (previous.start, previous.end) == (date(2089, 10, 1), date(2089, 12, 29))
    assert (previous.won_amount, previous.won_deals, previous.lost_amount, previous.lost_deals) == (
        Decimal(8_000), 1, Decimal(4_000), 1)
    assert previous.win_rate == 0.5
    assert previous.average_deal_size == Decimal("8000.00")
    assert previous.average_sales_cycle_days == 58


def test_a_quarter_to_date_is_compared_with_as_many_days_from_the_start_of_the_quarter_before(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(end=date(2090, 2, 20)), today=TODAY)

    assert (kpis.current.start, kpis.current.end) == (date(2090, 1, 1), date(2090, 2, 20))
    assert (kpis.previous.start, kpis.previous.end) == (date(2089, 10, 1), date(2089, 11, 20))
    assert (kpis.previous.won_amount, kpis.previous.lost_amount, kpis.previous.lost_deals) == (0, Decimal(4_000), 1)


def test_kpis_without_closed_deals_have_no_rates_or_averages(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(start=date(2095, 1, 1), end=date(2095, 1, 31)),
                               today=TODAY)

    assert (kpis.current.won_deals, kpis.current.lost_deals) == (0, 0)
    assert kpis.current.win_rate is None
    assert kpis.current.average_deal_size is None
    assert kpis.current.average_sales_cycle_days is None


# --- breakdowns -----------------------------------------------------------------------------------


def test_funnel_lists_every_open_stage_in_order_with_counts_and_amounts(crm, book) -> None:
    funnel = dashboards.get_funnel(crm, READER, filters=book.filters())

    assert funnel.to_dict("records") == [
        {"stage": "Prospecting", "position": 1, "deals": 1, "amount": 10_000.0},
        {"stage": "Qualification", "position": 2, "deals": 1, "amount": 15_000.0},
        {"stage": "Needs Analysis", "position": 3, "deals": 1, "amount": 20_000.0},
        {"stage": "Proposal", "position": 4, "deals": 1, "amount": 40_000.0},
        {"stage": "Negotiation", "position": 5, "deals": 1, "amount": 50_000.0},
    ]


def test_won_by_month_sets_each_month_beside_the_same_month_a_year_earlier(crm, book) -> None:
    months = dashboards.get_won_by_month(crm, READER, filters=book.filters())

    assert months.to_dict("records") == [
        {"month": date(2090, 1, 1), "revenue": 10_000.0, "deals": 1, "revenue_last_year": 12_000.0},
        {"month": date(2090, 2, 1), "revenue": 36_000.0, "deals": 1, "revenue_last_year": 0.0},
        {"month": date(2090, 3, 1), "revenue": 24_000.0, "deals": 2, "revenue_last_year": 6_000.0},
    ]


def test_revenue_by_industry_is_largest_first_with_unknown_for_companies_without_one(crm, book) -> None:
    industries = dashboards.get_revenue_by_industry(crm, READER, filters=book.filters())

    assert industries.to_dict("records") == [
        {"industry": "Planted Industry B", "revenue": 36_000.0, "deals": 1},
        {"industry": "Planted Industry A", "revenue": 30_000.0, "deals": 2},
        {"industry": "Unknown", "revenue": 4_000.0, "deals": 1},
    ]


def test_revenue_by_country_carries_iso3_codes_for_the_map(crm, book) -> None:
    countries = dashboards.get_revenue_by_country(crm, READER, filters=book.filters())

    assert countries.to_dict("records") == [
        {"iso3": "XBB", "country": "Otherland", "revenue": 36_000.0, "deals": 1},
        {"iso3": "XAA", "country": "Plantland", "revenue": 30_000.0, "deals": 2},
    ]


def test_leaderboard_ranks_owners_by_won_revenue_with_pipeline_and_win_rate(crm, book) -> None:
    board = dashboards.get_owner_leaderboard(crm, READER, filters=book.filters())

    assert board.to_dict("records") == [
        {"rank": 1, "owner_id": ANN, "won_amount": 46_000.0, "won_deals": 2, "open_pipeline": 45_000.0,
         "win_rate": pytest.approx(2 / 3)},
        {"rank": 2, "owner_id": BOB, "won_amount": 24_000.0, "won_deals": 2, "open_pipeline": 90_000.0,
         "win_rate": 0.5},
    ]


def test_a_rep_sees_colleagues_on_the_leaderboard_by_rank_without_their_figures(crm, book) -> None:
    # Revenue per seller and the rules' rates give a colleague's commission: a rep sees only their own figures.
    filters = book.filters(owner_ids=(), industry_ids=(book.industries["Planted Industry A"],))

    board = dashboards.get_owner_leaderboard(crm, REP, filters=filters)

    assert list(board["rank"]) == [1, 2] and list(board["owner_id"]) == [BOB, ANN]
    bob, ann = board.to_dict("records")
    assert all(pd.isna(bob[column]) for column in dashboards.LEADERBOARD_FIGURES)
    assert (ann["won_amount"], ann["won_deals"], ann["open_pipeline"], ann["win_rate"]) == (10_000.0, 1, 10_000.0,
                                                                                          1.0)


# --- deals at risk --------------------------------------------------------------------------------


@pytest.mark.usefixtures("three_latest_wins")
def test_stage_medians_come_from_the_history_of_the_latest_won_deals(crm, book) -> None:
    medians = dashboards.get_stage_medians(crm, READER, today=TODAY)

    named = {name: medians[stage_id] for name, stage_id in book.stages.items() if stage_id in medians}
    # d13, d3, d2 spent 2/4/10 days in Prospecting, 4/6/2 in Qualification, 3/7/11 in Needs Analysis,
    # 5/5/8 in Proposal and 5/8/19 in Negotiation; d1 (closed earlier) is not in the sample.
    assert named == {"Prospecting": 4, "Qualification": 4, "Needs Analysis": 7, "Proposal": 5, "Negotiation": 8}


@pytest.mark.usefixtures("three_latest_wins")
def test_deals_at_risk_are_overdue_or_far_longer_in_their_stage_than_won_deals(crm, book) -> None:
    risky = dashboards.list_deals_at_risk(crm, READER, filters=book.filters(), today=TODAY)

    assert risky[["deal_id", "stage", "days_in_stage", "reason"]].to_dict("records") == [
        {"deal_id": book.deals["o2"], "stage": "Needs Analysis", "days_in_stage": 9, "reason": "close date passed"},
        {"deal_id": book.deals["o3"], "stage": "Proposal", "days_in_stage": 40,
         "reason": "40 days in Proposal, usually 5"},
        {"deal_id": book.deals["o5"], "stage": "Qualification", "days_in_stage": 40,
         "reason": "40 days in Qualification, usually 4"},
    ]
    first = risky.iloc[0]
    assert (first["title"], first["company"], first["amount"], first["close_date"], first["owner_id"]) == (
        "Deal o2", "Planted Two", 20_000.0, date(2090, 4, 5), ANN)


def test_a_deal_that_moved_back_counts_from_its_last_entry_into_the_stage(crm, book) -> None:
    medians = {book.stages["Negotiation"]: 3.0}  # o4 re-entered Negotiation 9 days ago: over twice 3 days

    risky = dashboards.list_deals_at_risk(crm, READER, filters=book.filters(owner_ids=(BOB,)), today=TODAY,
                                          stage_medians=medians)

    assert risky[["deal_id", "days_in_stage"]].to_dict("records") == [{"deal_id": book.deals["o4"],
                                                                        "days_in_stage": 9}]


def test_deals_at_risk_page_by_close_date_and_id(crm, book) -> None:
    medians = {book.stages["Proposal"]: 5.0, book.stages["Qualification"]: 4.0}
    first = dashboards.list_deals_at_risk(crm, READER, filters=book.filters(), today=TODAY, limit=2,
                                          stage_medians=medians)
    last = first.iloc[-1]

    rest = dashboards.list_deals_at_risk(crm, READER, filters=book.filters(), today=TODAY, limit=2,
                                         after=(last["close_date"], int(last["deal_id"])), stage_medians=medians)

    assert list(first["deal_id"]) == [book.deals["o2"], book.deals["o3"]]
    assert list(rest["deal_id"]) == [book.deals["o5"]]


def test_stages_without_won_history_never_count_as_stuck(crm, book) -> None:
    risky = dashboards.list_deals_at_risk(crm, READER, filters=book.filters(), today=TODAY, stage_medians={})

    assert list(risky["deal_id"]) == [book.deals["o2"]]


# --- filters --------------------------------------------------------------------------------------


def test_owner_filter_keeps_only_that_owners_deals(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(owner_ids=(BOB,)), today=TODAY)

    assert (kpis.open_pipeline, kpis.current.won_amount, kpis.current.lost_deals) == (Decimal(90_000),
                                                                                      Decimal(24_000), 2)


def test_an_open_stage_filter_narrows_the_pipeline_and_leaves_won_and_lost_alone(crm, book) -> None:
    filters = book.filters(stage_ids=(book.stages["Proposal"],))

    kpis = dashboards.get_kpis(crm, READER, filters=filters, today=TODAY)
    funnel = dashboards.get_funnel(crm, READER, filters=filters)

    assert (kpis.open_pipeline, kpis.weighted_pipeline) == (Decimal(40_000), Decimal("24000.00"))
    assert (kpis.current.won_amount, kpis.current.lost_amount) == (Decimal(70_000), Decimal(14_000))
    assert funnel[["stage", "deals", "amount"]].to_dict("records") == [
        {"stage": "Proposal", "deals": 1, "amount": 40_000.0}]


def test_a_closed_stage_filter_narrows_the_won_and_lost_figures(crm, book) -> None:
    filters = book.filters(stage_ids=(book.stages["Proposal"], book.stages["Closed Lost"]))

    kpis = dashboards.get_kpis(crm, READER, filters=filters, today=TODAY)

    assert (kpis.current.won_amount, kpis.current.lost_amount, kpis.current.win_rate) == (0, Decimal(14_000), 0.0)
    assert dashboards.get_owner_leaderboard(crm, READER, filters=filters)["won_amount"].sum() == 0


def test_industry_filter_goes_through_the_deals_company(crm, book) -> None:
    filters = book.filters(industry_ids=(book.industries["Planted Industry A"],))

    kpis = dashboards.get_kpis(crm, READER, filters=filters, today=TODAY)
    months = dashboards.get_won_by_month(crm, READER, filters=filters)

    assert (kpis.open_pipeline, kpis.current.won_amount, kpis.current.lost_deals) == (Decimal(50_000),
                                                                                      Decimal(30_000), 0)
    assert list(months["revenue"]) == [10_000.0, 0.0, 20_000.0]
    assert list(months["revenue_last_year"]) == [12_000.0, 0.0, 0.0]


def test_country_filter_goes_through_the_deals_company(crm, book) -> None:
    filters = book.filters(country_ids=(book.countries["Otherland"],))

    kpis = dashboards.get_kpis(crm, READER, filters=filters, today=TODAY)
    countries = dashboards.get_revenue_by_country(crm, READER, filters=filters)

    assert (kpis.open_pipeline, kpis.current.won_amount, kpis.current.lost_amount) == (Decimal(35_000),
                                                                                       Decimal(36_000),
                                                                                       Decimal(7_000))
    assert list(countries["iso3"]) == ["XBB"]


@pytest.mark.usefixtures("three_latest_wins")
def test_industry_filter_applies_to_deals_at_risk(crm, book) -> None:
    filters = book.filters(industry_ids=(book.industries["Planted Industry A"],))

    risky = dashboards.list_deals_at_risk(crm, READER, filters=filters, today=TODAY)

    assert list(risky["deal_id"]) == [book.deals["o3"]]


def test_date_range_selects_closed_deals_and_its_own_previous_period(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(start=date(2090, 2, 1), end=date(2090, 2, 28)),
                               today=TODAY)

    assert (kpis.current.won_amount, kpis.current.lost_amount) == (Decimal(36_000), Decimal(5_000))
    assert (kpis.previous.start, kpis.previous.end) == (date(2090, 1, 1), date(2090, 1, 28))
    assert (kpis.previous.won_amount, kpis.previous.lost_amount) == (Decimal(10_000), Decimal(2_000))


def test_a_range_that_is_no_month_or_quarter_is_compared_with_as_many_days_just_before(crm, book) -> None:
    kpis = dashboards.get_kpis(crm, READER, filters=book.filters(start=date(2090, 2, 5), end=date(2090, 2, 28)),
                               today=TODAY)

    assert (kpis.previous.start, kpis.previous.end) == (date(2090, 1, 12), date(2090, 2, 4))
    assert (kpis.previous.won_amount, kpis.previous.lost_amount) == (0, Decimal(7_000))


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError):
        DashboardFilters(start=date(2090, 2, 1), end=date(2090, 1, 31))


def test_filters_are_normalised_so_equal_choices_make_equal_cache_keys() -> None:
    one = DashboardFilters(start=date(2090, 1, 1), end=date(2090, 1, 31), owner_ids=[3, 1, 3])
    two = DashboardFilters(start=date(2090, 1, 1), end=date(2090, 1, 31), owner_ids=(1, 3))

    assert one == two and hash(one) == hash(two)


def test_deals_at_risk_refuse_an_oversized_page(crm, book) -> None:
    with pytest.raises(ValidationError):
        dashboards.list_deals_at_risk(crm, READER, filters=book.filters(), today=TODAY, limit=10_000)


# --- permissions ----------------------------------------------------------------------------------

CALLS = {
    "get_kpis": lambda crm, who, filters: dashboards.get_kpis(crm, who, filters=filters, today=TODAY),
    "get_open_totals": lambda crm, who, filters: dashboards.get_open_totals(crm, who, filters=filters, today=TODAY),
    "get_funnel": lambda crm, who, filters: dashboards.get_funnel(crm, who, filters=filters),
    "get_won_by_month": lambda crm, who, filters: dashboards.get_won_by_month(crm, who, filters=filters),
    "get_revenue_by_industry": lambda crm, who, filters: dashboards.get_revenue_by_industry(crm, who, filters=filters),
    "get_revenue_by_country": lambda crm, who, filters: dashboards.get_revenue_by_country(crm, who, filters=filters),
    "get_owner_leaderboard": lambda crm, who, filters: dashboards.get_owner_leaderboard(crm, who, filters=filters),
    "get_stage_medians": lambda crm, who, filters: dashboards.get_stage_medians(crm, who, today=TODAY),
    "list_deals_at_risk": lambda crm, who, filters: dashboards.list_deals_at_risk(crm, who, filters=filters,
                                                                                  today=TODAY),
}


@pytest.mark.parametrize("call", [call for name, call in CALLS.items() if name != "get_stage_medians"],
                         ids=[name for name in CALLS if name != "get_stage_medians"])
@pytest.mark.parametrize("owners", [(BOB,), (ANN, BOB)], ids=["a colleague", "a team"])
def test_a_rep_may_not_filter_the_dashboard_by_a_colleague_or_a_team(crm, book, call, owners) -> None:
    with pytest.raises(AuthorizationError, match="commissions.read_all"):
        call(crm, REP, book.filters(owner_ids=owners))


def test_a_rep_filters_the_dashboard_by_their_own_deals_or_everyone(crm, book) -> None:
    mine = dashboards.get_kpis(crm, REP, filters=book.filters(owner_ids=(ANN,)), today=TODAY)
    everyone = dashboards.get_kpis(crm, REP, filters=book.filters(owner_ids=()), today=TODAY)

    assert mine.current.won_amount == Decimal(46_000)
    assert everyone.current.won_amount >= Decimal(70_000)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_every_dashboard_needs_crm_read(crm, call) -> None:
    filters = DashboardFilters(start=date(2090, 1, 1), end=date(2090, 3, 31))

    with pytest.raises(AuthorizationError):
        call(crm, STRANGER, filters)
