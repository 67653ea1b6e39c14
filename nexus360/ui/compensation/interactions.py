"""What people do on the Commissions page, for `python -m nexus360 bench pages` (nexus360.bench.pages.INTERACTIONS).

Each function does one thing to an AppTest of the page (opening its tab first); called before every timed
rerun, each alternates between two states so that the warm figures measure cached reads, not a cold page.
A role without the tab or the widget (a rep has no Team tab) gets a plain rerun.
"""

from __future__ import annotations

from typing import Any

from nexus360.auth import service as auth_service
from nexus360.compensation.rules import service as rules_service
from nexus360.db import Database, session_scope
from nexus360.ui.compensation.page import MY_COMMISSION, MY_STATEMENT, RULES, TAB_KEY, TEAM
from nexus360.ui.compensation.rep import PERIOD_KEY as MINE_PERIOD
from nexus360.ui.compensation.rep import WHAT_IF_KEY
from nexus360.ui.compensation.rules import CHOICE_KEY, NEW
from nexus360.ui.compensation.team import PERIOD_KEY as TEAM_PERIOD
from nexus360.ui.compensation.team import REP_KEY


def _demo_user(username: str) -> Any:
    with session_scope(Database.AUTH) as session:
        return auth_service.get_principal_by_username(session, username)


def _on_tab(app: Any, *tabs: str) -> bool:
    """Open the first of `tabs` the page has (with a run of its own the first time); False when it has none."""
    labels = [tab.label for tab in app.tabs]
    tab = next((name for name in tabs if name in labels), None)
    if tab is None:
        return False
    if TAB_KEY not in app.session_state or app.session_state[TAB_KEY] != tab:
        app.session_state[TAB_KEY] = tab
        app.run()
    return True


def _flip(app: Any, key: str) -> None:
    """Choose the second option of select box `key`, or the first when the second is chosen."""
    boxes = [box for box in app.selectbox if box.key == key]
    if not boxes or len(boxes[0].options) < 2:
        return
    box = boxes[0]
    box.select_index(0 if box.index == 1 else 1)


def team_period(app: Any) -> None:
    if _on_tab(app, TEAM):
        _flip(app, TEAM_PERIOD)


def team_rep_statement(app: Any) -> None:
    """Open the demo rep's statement of the chosen period, or close it again."""
    if _on_tab(app, TEAM):
        rep = _demo_user("rep").id
        shown = REP_KEY in app.session_state and app.session_state[REP_KEY] == rep
        app.session_state[REP_KEY] = None if shown else rep


def rules_open_a_rule(app: Any) -> None:
    """Open the newest rule in the editor, or the new-rule form again."""
    if _on_tab(app, RULES):
        manager = _demo_user("manager")
        with session_scope(Database.COMPENSATION, actor=manager) as session:
            first = rules_service.list_rules(session, manager)[0].id
        shown = CHOICE_KEY in app.session_state and app.session_state[CHOICE_KEY] == first
        app.session_state[CHOICE_KEY] = NEW if shown else first


def my_period(app: Any) -> None:
    if _on_tab(app, MY_COMMISSION, MY_STATEMENT):
        _flip(app, MINE_PERIOD)


def my_what_if(app: Any) -> None:
    """Open the what-if (the rep's open deals are read only then), and close it again."""
    if _on_tab(app, MY_COMMISSION, MY_STATEMENT):
        opened = WHAT_IF_KEY in app.session_state and app.session_state[WHAT_IF_KEY]
        app.session_state[WHAT_IF_KEY] = not opened


INTERACTIONS = {
    "team: change the period": team_period,
    "team: open a rep's statement": team_rep_statement,
    "rules: open a rule": rules_open_a_rule,
    "my commission: change the period": my_period,
    "my commission: open the what-if": my_what_if,
}
