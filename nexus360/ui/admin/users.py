"""The Users tab: find users, change their roles, deactivate or reactivate them, set a local password.

A fragment: a search, a filter, a page or a selection reruns this tab alone. Reads are cached and every
write bumps the auth database's data generation, so the list shows a change at once. Your own account is
not offered for deactivation (the service refuses it too), and a user keeps at least one role.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.signin import service as signin
from nexus360.auth.users import service as users
from nexus360.auth.users.schemas import UserRead, role_label
from nexus360.common.money import DASH
from nexus360.db import Database
from nexus360.ui.formatting import literal
from nexus360.ui.reruns import rerun_section, version_key
from nexus360.ui.session import FAILED, cached, current_principal, submit

AUTH = Database.AUTH
STATUS = {"All": None, "Active": True, "Deactivated": False}
PAGE_KEY, TABLE_KEY = "admin_users_page", "admin_users_table"
FLASH_KEY = "admin_flash"
PASSWORD_MAX = 72  # what bcrypt hashes


def _first_page() -> None:
    """A filter changed: back to the first page, with no row selected."""
    st.session_state[PAGE_KEY] = 0
    st.session_state.pop(TABLE_KEY, None)


def _turn(step: int) -> None:
    st.session_state[PAGE_KEY] = st.session_state.get(PAGE_KEY, 0) + step
    st.session_state.pop(TABLE_KEY, None)


@st.fragment
def users_tab() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(literal(message), icon=":material/check_circle:")
    search_col, role_col, status_col = st.columns([3, 2, 2])
    search = search_col.text_input("Search", placeholder="Name or email", key="admin_search", max_chars=100,
                                   on_change=_first_page)
    roles = cached(AUTH, users.list_role_names)
    role = role_col.selectbox("Role", ["", *roles], key="admin_role", on_change=_first_page,
                              format_func=lambda name: role_label(name) if name else "All roles") or None
    status = status_col.selectbox("Status", list(STATUS), key="admin_status", on_change=_first_page)
    page = st.session_state.get(PAGE_KEY, 0)
    rows, total = cached(AUTH, users.list_users, search=search.strip(), role=role, active=STATUS[status], page=page)
    if not rows:
        st.info("No users match these filters. Clear the search or choose All roles and All.", icon=":material/info:")
        return
    frame = pd.DataFrame(
        [{"Name": row.name, "Email": row.email, "Roles": ", ".join(role_label(name) for name in row.roles) or DASH,
          "Status": "Active" if row.is_active else "Deactivated", "Local sign-in": row.local_username or DASH}
         for row in rows],
        columns=["Name", "Email", "Roles", "Status", "Local sign-in"],
    )
    # A short line between the filters and the table: the table's toolbar floats over its right end.
    st.caption(f"{total:,} user{'s' if total != 1 else ''} match{'es' if total == 1 else ''}.")
    selection = st.dataframe(frame, hide_index=True, width="stretch", on_select="rerun",
                             selection_mode="single-row", key=TABLE_KEY, placeholder=DASH)
    _pager(total, page)
    chosen = selection.selection.rows if selection else []
    if chosen and chosen[0] < len(rows):
        _user_detail(rows[chosen[0]], roles)
    else:
        st.caption("Select a user in the table to change their roles, status or password.")


def _pager(total: int, page: int) -> None:
    pages = max(1, -(-total // users.PAGE_SIZE))
    left, middle, right = st.columns([1, 3, 1], vertical_alignment="center")
    left.button("Previous", disabled=page == 0, width="stretch", key="admin_users_prev", on_click=_turn, args=(-1,))
    middle.caption(f"Page {page + 1} of {pages} · {total:,} user{'s' if total != 1 else ''}")
    right.button("Next", disabled=page + 1 >= pages, width="stretch", key="admin_users_next", on_click=_turn,
                 args=(1,))


def _done(message: str) -> None:
    """After a write: say so on the next run of the tab (the cached list is fresh: the write bumped its data)."""
    st.session_state[FLASH_KEY] = message
    rerun_section()


def _user_detail(user: UserRead, roles: list[str]) -> None:
    yourself = user.id == current_principal().id
    st.subheader(literal(user.name) + (" (you)" if yourself else ""))
    st.caption(literal(user.email))
    with st.form(version_key(f"roles_{user.id}", user)):
        chosen = st.multiselect("Roles *", roles, default=user.roles, format_func=role_label,
                                help="At least one: a user without a role cannot open any page.")
        saved = st.form_submit_button("Save roles")
    if saved:
        if not chosen:
            st.error("Roles: choose at least one. To stop someone signing in, deactivate them instead.",
                     icon=":material/error:")
        elif submit(AUTH, users.set_user_roles, user_id=user.id, roles=chosen) is not FAILED:
            _done(f"Roles of {user.name} saved: {', '.join(role_label(name) for name in chosen)}.")
    if yourself:
        st.caption("This is your account: another administrator can deactivate it.")
    elif user.is_active:
        if st.button("Deactivate…", key=f"deactivate_{user.id}", icon=":material/person_off:"):
            _confirm_deactivate(user)
    elif st.button("Reactivate", key=f"activate_{user.id}", icon=":material/person_check:") and submit(
            AUTH, users.set_user_active, user_id=user.id, active=True) is not FAILED:
        _done(f"{user.name} can sign in again.")
    with st.expander("Set a local sign-in password", icon=":material/password:"), \
            st.form(f"password_{user.id}", clear_on_submit=True):
        username = st.text_input("Username *", value=user.local_username or user.email.split("@")[0], max_chars=100)
        password = st.text_input("New password *", type="password", max_chars=PASSWORD_MAX,
                                 help=f"{signin.MIN_PASSWORD_LENGTH} to {PASSWORD_MAX} characters.")
        set_it = st.form_submit_button("Set password")
    if set_it:
        if len(password.encode("utf-8")) > PASSWORD_MAX:  # bcrypt reads 72 bytes; an accented letter takes two
            st.error(f"New password: at most {PASSWORD_MAX} bytes (accented letters count twice). Nothing was set.",
                     icon=":material/error:")
        elif submit(AUTH, signin.set_local_password, user_id=user.id, username=username,
                    password=password) is not FAILED:
            _done(f"Password for {user.name} set.")


@st.dialog("Deactivate user")
def _confirm_deactivate(user: UserRead) -> None:
    st.write(f"{literal(user.name)} will no longer be able to sign in. Their records stay; you can reactivate "
             "them later.")
    if st.button("Deactivate", type="primary") and submit(
            AUTH, users.set_user_active, user_id=user.id, active=False) is not FAILED:
        st.session_state[FLASH_KEY] = f"{user.name} is deactivated."
        st.rerun()
