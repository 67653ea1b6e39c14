"""The Rules tab: every commission rule in plain words; managers create and edit them with widgets that
build the rule's criteria, and the service's validation messages are shown as they are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from nexus360.auth.schemas import Principal
from nexus360.common.errors import ValidationError
from nexus360.common.periods import today_utc
from nexus360.common.validation import parse
from nexus360.compensation.rules import service as rules_service
from nexus360.compensation.schemas import RuleCreate, RuleRead, RuleUpdate
from nexus360.crm import service as crm_service
from nexus360.db import Database
from nexus360.ui.compensation.common import COMP, changed, show_flash
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import clear_form, form_key, version_key
from nexus360.ui.session import FAILED, cached, submit

TYPES = {"flat": "Flat: a rate on each deal", "tiered": "Tiered: rates on bands of revenue",
         "bonus": "Bonus: paid when a condition is met"}
CUSTOMERS = {None: "Any customer", True: "New customers only", False: "Existing customers only"}
OWNER_ROLES = {"sales_rep": "Sales rep", "sales_manager": "Sales manager", "admin": "Admin"}
MONTHS = {month: date(2000, month, 1).strftime("%B") for month in range(1, 13)}
# Filters the widgets edit; other keys of an existing rule's criteria are kept as they are.
EDITED = ("stages", "industries", "countries", "min_amount", "max_amount", "new_customer", "owner_roles", "months",
          "quota", "tiers", "min_revenue", "min_attainment", "min_deals", "amount")


CHOICE_KEY = "rule_choice"
NEW = 0
NEXT_CHOICE_KEY = "rule_choice_next"  # the rule to open after a save (set before the select box exists)


@st.fragment
def rules_tab(principal: Principal) -> None:
    """The rules with what each pays in plain words; the editor for holders of commissions.manage. A fragment:
    choosing a rule or a type reruns this tab alone."""
    show_flash()
    rules = cached(COMP, rules_service.list_rules)
    if not rules:
        st.info("No commission rules yet." + (" Create one below." if principal.has("commissions.manage") else ""),
                icon=":material/info:")
    for rule in rules:
        rule_card(rule)
    if not principal.has("commissions.manage"):
        st.caption("Sales managers set the rules. Every line of your statement names the rule that paid it.")
        return
    st.subheader("Create or edit a rule")
    by_id = {rule.id: rule for rule in rules}
    if NEXT_CHOICE_KEY in st.session_state:
        st.session_state[CHOICE_KEY] = st.session_state.pop(NEXT_CHOICE_KEY)
    if st.session_state.get(CHOICE_KEY) not in (NEW, *by_id):
        st.session_state.pop(CHOICE_KEY, None)
    # NEW (0) stands for a new rule: a None option would show a clear button on the box.
    choice = st.selectbox("Rule", [NEW, *by_id], key=CHOICE_KEY,
                          format_func=lambda rule_id: by_id[rule_id].name if rule_id else "New rule")
    rule_form(by_id.get(choice))


def rule_card(rule: RuleRead) -> None:
    """Name, type, dates and whether it is in force, then what it pays (rule names are user text)."""
    until = f"until {rule.end_date:%d %b %Y}" if rule.end_date else "no end date"
    badge = ":green-badge[In force]" if rule.in_force else ":gray-badge[Not in force]"
    with st.container(border=True):
        st.markdown(f"**{literal(rule.name)}** {badge} :blue-badge[{rule.type.capitalize()}]  \n"
                    f"{literal(rule.description)}")
        pays_rate = rule.rate is not None and (
            rule.type == "flat" or (rule.type == "bonus" and not (rule.criteria or {}).get("amount")))
        st.caption(f"From {rule.start_date:%d %b %Y}, {until}" + (f" · rate {rule.rate:.2f}%" if pays_rate else ""))


def rule_form(rule: RuleRead | None) -> None:
    """Create (rule None) or edit a rule; invalid input shows the service's message, naming each field that is
    wrong, and saves nothing. Number fields state their limits but take any number, so that the message below
    says what is wrong with what was typed (a widget limit would refuse it silently and keep an old message).
    A new rule's form starts empty after it is created; an edit form shows the rule's current values."""
    key = form_key("rule_new") if rule is None else version_key(f"rule_{rule.id}", rule)
    reference = cached(Database.CRM, crm_service.list_reference)
    kind = st.segmented_control("Type", list(TYPES), default=rule.type if rule else "flat", key=f"{key}_type",
                                format_func=lambda value: TYPES[value].split(":")[0]) or "flat"
    st.caption(TYPES[kind])
    old = dict(rule.criteria) if rule else {}
    with st.form(key):
        name_col, rate_col, start_col, end_col = st.columns([3, 1, 1, 1])
        name = name_col.text_input("Name *", value=rule.name if rule else "", max_chars=255, key=f"{key}_name")
        rate = rate_col.number_input("Rate (%)", step=0.5, format="%.2f", value=float(rule.rate) if rule else 5.0,
                                     key=f"{key}_rate",
                                     help="0 to 100. Flat: % of each deal. Bonus without a fixed amount: extra % of "
                                          "each deal. Tiered rules use the band rates below.")
        start = start_col.date_input("Starts *", value=rule.start_date if rule else today_utc(), key=f"{key}_start")
        end = end_col.date_input("Ends", value=rule.end_date if rule else None, help="Empty: no end.",
                                 key=f"{key}_end")
        criteria = {**{k: v for k, v in old.items() if k not in EDITED}, **_deal_filters(old, reference, key)}
        if kind == "tiered":
            criteria.update(_tiers(old, key))
        elif kind == "bonus":
            criteria.update(_bonus(old, key))
        saved = st.form_submit_button("Save changes" if rule else "Create rule", type="primary")
    if saved:
        _save(rule, name=name, type=kind, rate=rate, criteria=criteria, start_date=start, end_date=end)


def _deal_filters(old: dict, reference: dict, key: str) -> dict:
    st.markdown("**Which won deals count** (leave empty for all)")
    stages = [name for _id, name in reference["stages"]]
    industries, countries = dict(reference["industries"]), dict(reference["countries"])
    left, middle, right = st.columns(3)
    values = {
        "stages": left.multiselect("Stages", stages, default=[s for s in old.get("stages") or [] if s in stages],
                                   placeholder="Any stage"),
        "industries": middle.multiselect("Industries", list(industries), format_func=industries.get,
                                         default=[i for i in old.get("industries") or [] if i in industries],
                                         placeholder="Any industry"),
        "countries": right.multiselect("Countries", list(countries), format_func=countries.get,
                                       default=[c for c in old.get("countries") or [] if c in countries],
                                       placeholder="Any country"),
        "min_amount": left.number_input("Minimum deal amount ($)", step=1000.0, value=_number(old.get("min_amount")),
                                        key=f"{key}_min_amount", placeholder="any", help="0 or more."),
        "max_amount": middle.number_input("Maximum deal amount ($)", step=1000.0, value=_number(old.get("max_amount")),
                                          key=f"{key}_max_amount", placeholder="any",
                                          help="0 or more, not below the minimum."),
        "new_customer": right.selectbox("Customer", list(CUSTOMERS), format_func=CUSTOMERS.get,
                                        index=list(CUSTOMERS).index(old.get("new_customer"))),
        "owner_roles": left.multiselect("Owner's role", list(OWNER_ROLES), format_func=OWNER_ROLES.get,
                                        default=[r for r in old.get("owner_roles") or [] if r in OWNER_ROLES],
                                        placeholder="Any role"),
        "months": middle.multiselect("Close months", list(MONTHS), format_func=MONTHS.get,
                                     default=[m for m in old.get("months") or [] if m in MONTHS],
                                     placeholder="Any month"),
        "quota": right.number_input("Quota for the period ($)", step=10000.0, value=_number(old.get("quota")),
                                    key=f"{key}_quota", placeholder="none",
                                    help="Above 0. Sets attainment on statements; bonuses on attainment need it."),
    }
    return {key: value for key, value in values.items() if value not in (None, [])}


def _tiers(old: dict, key: str) -> dict:
    """Bands as an editable table: 'Up to' empty on the last row means 'and above'."""
    st.markdown("**Tier bands** of the period's revenue")
    rows, lower = [], 0.0
    for tier in old.get("tiers") or [{"up_to": 250_000, "rate": 5}, {"above": 250_000, "rate": 8}]:
        rows.append({"Up to ($)": tier.get("up_to"), "Rate (%)": tier.get("rate")})
        lower = tier.get("up_to") or lower
    edited = st.data_editor(
        pd.DataFrame(rows, columns=["Up to ($)", "Rate (%)"]), num_rows="dynamic", key=f"{key}_tiers",
        width="stretch", hide_index=True,
        column_config={"Up to ($)": st.column_config.NumberColumn(min_value=0, step=1000, format="dollar",
                                                                  help="Leave empty on the last band: no limit"),
                       "Rate (%)": st.column_config.NumberColumn(min_value=0, max_value=100, step=0.5)},
    )
    return {"tiers": tiers_from_table(edited)}


def tiers_from_table(frame: pd.DataFrame) -> list[dict]:
    """Table rows -> criteria tiers; a row without 'up to' becomes the 'above' band after the last limit."""
    tiers, previous = [], 0.0
    for up_to, rate in frame[["Up to ($)", "Rate (%)"]].itertuples(index=False):
        if pd.isna(up_to) and pd.isna(rate):
            continue
        rate = None if pd.isna(rate) else float(rate)
        if pd.isna(up_to):
            tiers.append({"above": previous, "rate": rate})
        else:
            tiers.append({"up_to": float(up_to), "rate": rate})
            previous = float(up_to)
    return tiers


def _bonus(old: dict, key: str) -> dict:
    st.markdown("**Bonus condition** (a fixed amount needs at least one)")
    left, middle, right, last = st.columns(4)
    attainment = old.get("min_attainment")
    values = {
        "amount": left.number_input("Fixed bonus ($)", step=500.0, value=_number(old.get("amount")),
                                    key=f"{key}_amount", placeholder="none",
                                    help="Above 0. Empty: pay the rate above as an extra % of each deal instead."),
        "min_revenue": middle.number_input("When revenue reaches ($)", step=10000.0, key=f"{key}_min_revenue",
                                           value=_number(old.get("min_revenue")), placeholder="no condition",
                                           help="0 or more."),
        "min_attainment": right.number_input("When attainment reaches (%)", step=5.0, key=f"{key}_min_attainment",
                                             value=float(attainment) * 100 if attainment is not None else None,
                                             placeholder="no condition", help="Above 0; 100 is the quota."),
        "min_deals": last.number_input("When deals won reach", step=1, value=old.get("min_deals"),
                                       key=f"{key}_min_deals", placeholder="no condition", help="1 or more."),
    }
    if values["min_attainment"] is not None:
        values["min_attainment"] = values["min_attainment"] / 100
    return {key: value for key, value in values.items() if value is not None}


def _number(value) -> float | None:
    """Stored criteria may hold ints; number inputs need one numeric type."""
    return None if value is None else float(value)


def _save(rule: RuleRead | None, **values) -> None:
    """Save through the service (which names every field that is wrong); after a save the editor opens the
    saved rule, and a new rule's form starts empty next time."""
    rate = values["rate"]
    try:
        data = parse(RuleCreate if rule is None else RuleUpdate,
                     **{**values, "rate": Decimal(str(rate)) if rate is not None else None})
    except ValidationError as error:
        st.error(literal(error), icon=":material/error:")
        return
    if rule is None:
        saved = submit(COMP, rules_service.create_rule, data=data)
    else:
        saved = submit(COMP, rules_service.update_rule, rule_id=rule.id, data=data)
    if saved is not FAILED:
        if rule is None:
            clear_form("rule_new")
        st.session_state[NEXT_CHOICE_KEY] = saved.id
        changed(f"Saved '{saved.name}': {saved.description}")

