"""The Roles & permissions tab: what each role may do, one permission per row in words, ticked per role;
changes are confirmed (with what each role gains and loses) before they are saved."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.auth.users import service as users
from nexus360.auth.users.schemas import role_label
from nexus360.db import Database
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, cached, submit

AUTH = Database.AUTH
PERMISSION = "Permission"
MATRIX_KEY = "permission_matrix"


@st.fragment
def permissions_tab() -> None:
    matrix = cached(AUTH, users.get_permission_matrix)
    described = cached(AUTH, users.list_permissions)
    labels = {role: role_label(role) for role in matrix.columns}
    shown = matrix.rename(columns=labels)
    shown.insert(0, PERMISSION, [described.get(permission, permission) for permission in matrix.index])
    st.caption("Tick what each role may do.")  # short: the table's toolbar floats over the line above it
    edited = st.data_editor(
        shown.reset_index(drop=True), hide_index=True, width="stretch", height="content", key=MATRIX_KEY,
        disabled=[PERMISSION], num_rows="fixed",
        column_config={PERMISSION: st.column_config.TextColumn(PERMISSION, width="large"),
                       **{label: st.column_config.CheckboxColumn(label, width="small") for label in labels.values()}},
    )
    st.caption("Changes apply at the users' next sign-in. The administrator role always keeps user management, "
               "so that someone can undo a mistake.")
    grants = edited.drop(columns=[PERMISSION]).rename(columns={label: role for role, label in labels.items()})
    grants.index = matrix.index
    changes = describe_changes(matrix, grants, described)
    count = sum(len(lines) for lines in changes.values())
    label = f"Save {count} change{'s' if count != 1 else ''}…" if count else "No changes to save"
    if st.button(label, disabled=count == 0, type="primary", key="permission_save"):
        _confirm(grants, changes, count)


def describe_changes(before: pd.DataFrame, after: pd.DataFrame, described: dict[str, str]) -> dict[str, list[str]]:
    """Role label -> 'gains: …' / 'loses: …' lines, for the confirmation."""
    changes: dict[str, list[str]] = {}
    for role in before.columns:
        for permission in before.index:
            was, now = bool(before.at[permission, role]), bool(after.at[permission, role])
            if was != now:
                verb = "gains" if now else "loses"
                changes.setdefault(role_label(role), []).append(f"{verb}: {described.get(permission, permission)}")
    return changes


@st.dialog("Save permission changes")
def _confirm(grants: pd.DataFrame, changes: dict[str, list[str]], count: int) -> None:
    st.write(f"{count} change{'s' if count != 1 else ''}; they apply at each user's next sign-in:")
    for role, lines in changes.items():
        st.markdown(f"**{literal(role)}**  \n" + "  \n".join(literal(line) for line in lines))
    if st.button("Save", type="primary") and submit(
            AUTH, users.set_permission_matrix, matrix={role: dict(grants[role].astype(bool)) for role in grants.columns}
    ) is not FAILED:
        st.session_state.pop(MATRIX_KEY, None)
        st.rerun()
