"""Only what is shown runs on the Commissions page: a hidden tab, a closed what-if or history sends none of its
queries; a rerun sends few statements (caches warm: the sidebar's only; caches empty: the open tab's)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_as
from tests.pages.sql_sent import cold_run, warm_run

pytestmark = pytest.mark.usefixtures("seeded")
REP_ID = 10  # Emily Chen, the demo rep
TABS = {"manager": ("Team", "Rules"), "rep": ("My commission", "Rules"), "admin": ("Team", "Rules")}
# What each tab reads, recognisable in its SQL: none of it may run while the tab is hidden.
READS = {
    "Team": ("GROUP BY sales_performance.period_start",),
    "Rules": ("commission_rules.criteria",),
    "My commission": ("coalesce(sum(sales_performance.commission)",),
}
WARM_LIMIT = 3  # the sidebar's unread count (and its row-level security settings)
# With caches empty each read is one transaction: its row-level security settings and its query (2 statements).
# Team: sidebar, tab bar, periods, team rows, names, history, disputes and their deals and names = 18.
COLD_LIMIT = {"Team": 20, "Rules": 10, "My commission": 18}


def open_tab(username: str, tab: str) -> AppTest:
    app = open_as(username, "compensation")
    app.session_state["commissions_tab"] = tab
    app.run()
    assert not app.exception
    return app


@pytest.mark.parametrize(("username", "tab"), [(user, tab) for user, tabs in TABS.items() for tab in tabs])
def test_a_hidden_tabs_queries_are_not_run(username: str, tab: str) -> None:
    sent = " ".join(cold_run(open_tab(username, tab)))
    for hidden in set(TABS[username]) - {tab}:
        for query in READS[hidden]:
            assert query not in sent, f"{tab} open, yet {hidden}'s query ran: {query}"


@pytest.mark.parametrize(("username", "tab"), [(user, tab) for user, tabs in TABS.items() for tab in tabs])
def test_a_rerun_sends_few_statements(username: str, tab: str) -> None:
    app = open_tab(username, tab)
    cold = cold_run(app)
    warm = warm_run(app)
    assert len(cold) <= COLD_LIMIT[tab], f"a cold rerun of {tab} sent {len(cold)} statements:\n" + "\n".join(cold)
    assert len(warm) <= WARM_LIMIT, f"a warm rerun of {tab} sent {len(warm)} statements:\n" + "\n".join(warm)


def test_the_what_if_and_the_history_read_nothing_until_opened() -> None:
    app = open_tab("rep", "My commission")
    sent = " ".join(cold_run(app))
    assert "NULLS LAST" not in sent  # the what-if's open deals
    assert "FROM commission_events" not in sent  # the statement's history
    app.session_state["mine_whatif_open"] = True
    app.session_state["mine_statement_history_open"] = True
    opened = " ".join(cold_run(app))
    assert "NULLS LAST" in opened and "FROM commission_events" in opened


def test_choosing_a_rep_reruns_only_the_team_tab_and_reads_few_statements() -> None:
    app = open_tab("manager", "Team")
    app.selectbox(key="team_rep").set_value(REP_ID)
    sent = cold_run(app)
    assert len(sent) <= 40, "\n".join(sent)
    assert len(warm_run(app)) <= WARM_LIMIT
