"""The Admin page's tabs. Every write goes through `nexus360.auth.users.service` (or `auth.signin.service` for
passwords), which checks admin.users and audits."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from nexus360.auth.signin import service as signin
from nexus360.auth.users import service as users
from nexus360.auth.users.schemas import UserRead
from nexus360.common.periods import today_utc
from nexus360.db import Database
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import call
from nexus360.ui.sidebar import ROLE_LABELS

STATUS = {"All": None, "Active": True, "Deactivated": False}


def _done(message: str) -> None:
    st.cache_data.clear()
    st.toast(message, icon=":material/check_circle:")


def users_tab() -> None:
    search_col, role_col, status_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Name or email", key="admin_search")
    roles = call(Database.AUTH, users.list_role_names)
    role = role_col.selectbox("Role", ["All roles", *roles], format_func=lambda r: ROLE_LABELS.get(r, r))
    status = status_col.selectbox("Status", list(STATUS))
    page = st.session_state.get("admin_users_page", 0)
    rows, total = call(
        Database.AUTH, users.list_users, search=search, role=None if role == "All roles" else role,
        active=STATUS[status], page=page,
    )
    if not rows:
        st.info("No users match these filters.")
        return
    frame = pd.DataFrame(
        [
            {"Name": r.name, "Email": r.email, "Roles": ", ".join(ROLE_LABELS.get(x, x) for x in r.roles) or "—",
             "Status": "Active" if r.is_active else "Deactivated", "Local sign-in": r.local_username or "—"}
            for r in rows
        ]
    )
    selection = st.dataframe(
        frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key="admin_users_table",
    )
    _pager(total, page)
    chosen = selection.selection.rows if selection else []
    if chosen:
        _user_detail(rows[chosen[0]], roles)
    else:
        st.caption("Select a user to change their roles, status or password.")


def _pager(total: int, page: int) -> None:
    pages = max(1, -(-total // users.PAGE_SIZE))
    left, middle, right = st.columns([1, 3, 1])
    if left.button("Previous", disabled=page == 0, width="stretch"):
        st.session_state["admin_users_page"] = page - 1
        st.rerun()
    middle.caption(f"Page {page + 1} of {pages} · {total:,} users")
    if right.button("Next", disabled=page + 1 >= pages, width="stretch"):
        st.session_state["admin_users_page"] = page + 1
        st.rerun()


def _user_detail(user: UserRead, roles: list[str]) -> None:
    st.subheader(escape_markdown(user.name))
    st.caption(escape_markdown(user.email))
    with st.form(f"roles_{user.id}"):
        chosen = st.multiselect("Roles", roles, default=user.roles, format_func=lambda r: ROLE_LABELS.get(r, r))
        if st.form_submit_button("Save roles"):
            call(Database.AUTH, users.set_user_roles, user_id=user.id, roles=chosen)
            _done(f"Roles of {user.name} saved.")
            st.rerun()
    if user.is_active:
        if st.button("Deactivate…", key=f"deactivate_{user.id}"):
            _confirm_deactivate(user)
    elif st.button("Reactivate", key=f"activate_{user.id}"):
        call(Database.AUTH, users.set_user_active, user_id=user.id, active=True)
        _done(f"{user.name} can sign in again.")
        st.rerun()
    with st.expander("Set a local sign-in password"), st.form(f"password_{user.id}", clear_on_submit=True):
        username = st.text_input("Username", value=user.local_username or user.email.split("@")[0])
        password = st.text_input("New password", type="password", help="At least 10 characters.")
        if st.form_submit_button("Set password"):
            call(Database.AUTH, signin.set_local_password, user_id=user.id, username=username,
                 password=password)
            _done(f"Password for {user.name} set.")


@st.dialog("Deactivate user")
def _confirm_deactivate(user: UserRead) -> None:
    st.write(f"{user.name} will no longer be able to sign in. Their records stay; you can reactivate them later.")
    if st.button("Deactivate", type="primary"):
        call(Database.AUTH, users.set_user_active, user_id=user.id, active=False)
        _done(f"{user.name} is deactivated.")
        st.rerun()


def permissions_tab() -> None:
    matrix = call(Database.AUTH, users.get_permission_matrix)
    st.caption("Tick what each role may do. Changes apply at the users' next sign-in.")
    edited = st.data_editor(
        matrix.rename(columns=ROLE_LABELS), width="stretch", key="permission_matrix",
        column_config={label: st.column_config.CheckboxColumn(label) for label in ROLE_LABELS.values()},
        height=38 * (len(matrix) + 1),
    )
    back = {label: role for role, label in ROLE_LABELS.items()}
    edited = edited.rename(columns=back)
    changes = int((edited != matrix).sum().sum())
    if st.button(f"Save {changes} change(s)", disabled=changes == 0, type="primary"):
        saved = call(Database.AUTH, users.set_permission_matrix, matrix=edited.to_dict())
        _done(f"{saved} permission change(s) saved.")
        st.rerun()


def audit_tab() -> None:
    action_col, result_col, since_col = st.columns(3)
    action = action_col.text_input("Action", placeholder="e.g. admin.set_roles")
    result = result_col.selectbox("Result", ["All", "allowed", "refused", "failed"])
    since = since_col.date_input("Since", value=today_utc() - timedelta(days=30))
    events = call(
        Database.AUTH, users.list_audit_events, action=action.strip() or None,
        result=None if result == "All" else result, since=datetime.combine(since, time.min),
    )
    if events.empty:
        st.info("No audit events match these filters.")
        return
    st.dataframe(events, hide_index=True, width="stretch",
                 column_config={"time": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss")})
