"""What people do on the CRM page, for `python -m nexus360 bench pages` (nexus360.page_bench.INTERACTIONS).

Each function does one thing to an AppTest of the page (opening its tab first); called before every timed
rerun, each alternates between two states so that the warm figures measure cached reads, not a cold page 7.
"""

from __future__ import annotations

from typing import Any

from nexus360.crm import service as crm_service
from nexus360.db import Database, session_scope
from nexus360.ui.crm.dashboard import CHART_KEY
from nexus360.ui.crm.links import TAB_KEY

PERIODS = ("This quarter", "Last quarter")
CHARTS = ("Pipeline by stage", "Won by month")


def _on_tab(app: Any, tab: str) -> None:
    """Open `tab` (with a run of its own the first time: its widgets exist only after one)."""
    if TAB_KEY in app.session_state and app.session_state[TAB_KEY] == tab:
        return
    app.session_state[TAB_KEY] = tab
    if TAB_KEY in app.query_params:  # the bar is bound to the address: an address naming a tab wins
        app.query_params[TAB_KEY] = tab
    app.run()


def _flip(app: Any, key: str, values: tuple) -> None:
    widget = app.selectbox(key=key)
    widget.set_value(values[1] if widget.value == values[0] else values[0])


def change_period(app: Any) -> None:
    _on_tab(app, "Dashboard")
    _flip(app, "dash_period", PERIODS)


def change_owner(app: Any) -> None:
    _on_tab(app, "Dashboard")
    widget = app.selectbox(key="dash_owner")
    if len(widget.options) > 1:  # a marketer has "Everyone" only (others' figures: commissions.read_all)
        widget.select_index(1 if widget.index == 0 else 0)
    else:
        app.run()


# What "not chosen before" has chosen in this process: the figures of a value chosen once are cached for everyone
# with the same permissions, so each timed run picks one that nobody chose yet (its figures computed in the rerun).
_chosen: set[tuple[str, str]] = set()


def _fresh(key: str, options: list) -> Any | None:
    """The first of `options` not chosen before in this process (None: every one was)."""
    for option in options:
        if (key, str(option)) not in _chosen:
            _chosen.add((key, str(option)))
            return option
    return None


def new_owner(app: Any) -> None:
    """Choose an owner or team nobody chose before (those who may see only their own deals flip the two)."""
    _on_tab(app, "Dashboard")
    widget = app.selectbox(key="dash_owner")
    fresh = _fresh("dash_owner", widget.options[1:])
    if fresh is None:
        change_owner(app)
    else:
        widget.select_index(widget.options.index(fresh))


def _new_value(key: str, reference: str) -> Any:
    """Filter the dashboard by one `reference` value (stages, industries, countries) nobody chose before."""
    def choose(app: Any) -> None:
        _on_tab(app, "Dashboard")
        with session_scope(Database.CRM) as session:
            ids = [value for value, _name in crm_service.list_reference(session, app.session_state["principal"])[
                reference]]
        fresh = _fresh(key, ids)
        app.multiselect(key=key).set_value([] if fresh is None else [fresh])  # all again once none is new
    return choose


def pick_a_chart(app: Any) -> None:
    """Show another chart in the dashboard's chart area (the funnel and won by month in turn)."""
    _on_tab(app, "Dashboard")
    picker = app.segmented_control(key=CHART_KEY)
    picker.set_value(CHARTS[1] if picker.value == CHARTS[0] else CHARTS[0])


def only_my_deals(app: Any) -> None:
    """Flip "Only my deals" (those who own no deals have none: their board just reruns)."""
    _on_tab(app, "Pipeline")
    toggles = [toggle for toggle in app.toggle if toggle.key == "board_mine"]
    if toggles:
        toggles[0].set_value(not toggles[0].value)


def next_page_of_deals(app: Any) -> None:
    _turn(app, "Deals", "deals")


def search_deals(app: Any) -> None:
    _on_tab(app, "Deals")
    box = app.text_input(key="deal_search")
    box.input("" if box.value else "renewal")


def open_a_deal(app: Any) -> None:
    """Open a deal by its address (/crm?crm_tab=Deals&deal=…), one of two in turn."""
    _on_tab(app, "Deals")
    app.query_params["deal"] = "2" if app.query_params.get("deal") == "1" else "1"


def next_page_of_companies(app: Any) -> None:
    _turn(app, "Companies", "companies")


def _turn(app: Any, tab: str, key: str) -> None:
    _on_tab(app, tab)
    on_first = len(app.session_state[f"{key}_pager"]["afters"]) == 1
    button = app.button(key=f"{key}_next" if on_first else f"{key}_prev")
    if not button.disabled:  # a list of one page (a rep's own deals) just reruns
        button.click()


INTERACTIONS = {
    "dashboard: change the period": change_period,
    "dashboard: change the owner": change_owner,
    "dashboard: an owner not chosen before": new_owner,
    "dashboard: a stage not chosen before": _new_value("dash_stages", "stages"),
    "dashboard: an industry not chosen before": _new_value("dash_ind", "industries"),
    "dashboard: a country not chosen before": _new_value("dash_country", "countries"),
    "dashboard: pick another chart": pick_a_chart,
    "pipeline: only my deals": only_my_deals,
    "deals: next page": next_page_of_deals,
    "deals: search": search_deals,
    "deals: open a deal": open_a_deal,
    "companies: next page": next_page_of_companies,
}
