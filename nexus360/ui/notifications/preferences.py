"""The Preferences tab: per event type, in the app and by e-mail (critical ones always on), the person's time
zone, quiet hours and daily digest. One form: nothing reruns until Save, and a refusal names the field."""

from __future__ import annotations

import hashlib
from datetime import time

import streamlit as st

from nexus360.db import Database
from nexus360.notifications.preferences import engine as zones
from nexus360.notifications.preferences import service as preferences
from nexus360.notifications.preferences.schemas import ChannelChoice, DeliverySettings, PreferencesRead
from nexus360.ui.formatting import literal
from nexus360.ui.session import FAILED, cached, submit

DB = Database.NOTIFICATIONS
DEFAULT_QUIET = (time(22, 0), time(7, 0))


@st.fragment
def preferences_tab() -> None:
    saved = cached(DB, preferences.get_preferences)
    key = "notification_prefs_" + hashlib.blake2b(saved.model_dump_json().encode(), digest_size=4).hexdigest()
    with st.form(key, border=False):
        choices = _channels(saved, key)
        settings = _timing(saved, key)
        pressed = st.form_submit_button("Save preferences", type="primary", icon=":material/save:")
    if pressed and submit(DB, preferences.save_preferences, choices=choices, settings=settings) is not FAILED:
        st.toast("Preferences saved.", icon=":material/check_circle:")
        st.rerun(scope="app")  # muting a type changes the badge


def _channels(saved: PreferencesRead, key: str) -> list[ChannelChoice]:
    st.subheader("What you hear about")
    st.caption("In the app: in this inbox and its badge. By e-mail: a message at once. Everything unread also "
               "goes into your daily digest, if you have one. Critical messages are always on.")
    head = st.columns([4, 1, 1])
    head[1].markdown("**In the app**")
    head[2].markdown("**By e-mail**")
    choices = []
    for item in saved.types:
        row = st.columns([4, 1, 1], vertical_alignment="center")
        row[0].markdown(f"{literal(item.label)}  \n:small[{literal(item.description)}]"
                        + ("  \n:small[**Critical: always on**]" if item.critical else ""))
        in_app = row[1].checkbox("In the app", value=item.in_app, disabled=item.critical,
                                 key=f"{key}_{item.type}_app", label_visibility="collapsed")
        email = row[2].checkbox("By e-mail", value=item.email, disabled=item.critical,
                                key=f"{key}_{item.type}_mail", label_visibility="collapsed")
        choices.append(ChannelChoice(type=item.type, in_app=in_app or item.critical, email=email or item.critical))
    return choices


def _timing(saved: PreferencesRead, key: str) -> DeliverySettings:
    current = saved.settings
    st.subheader("When")
    names = zones.zone_names()
    zone = st.selectbox("Your time zone", names, index=names.index(current.timezone) if current.timezone in names
                        else names.index("UTC"), key=f"{key}_zone",
                        help="Quiet hours, the digest's hour and the times in your inbox follow it.")
    quiet_column, start_column, end_column = st.columns([2, 1, 1], vertical_alignment="bottom")
    quiet = quiet_column.toggle("Quiet hours", value=current.quiet_start is not None, key=f"{key}_quiet",
                                help="E-mails that arrive then wait until the quiet hours end (critical ones do "
                                     "not wait). The inbox still shows them.")
    start = start_column.time_input("From", value=current.quiet_start or DEFAULT_QUIET[0], step=1800,
                                    key=f"{key}_quiet_start")
    end = end_column.time_input("Until", value=current.quiet_end or DEFAULT_QUIET[1], step=1800,
                                key=f"{key}_quiet_end")
    digest_column, hour_column = st.columns([2, 2], vertical_alignment="bottom")
    digest = digest_column.toggle("Daily digest by e-mail", value=current.digest_enabled, key=f"{key}_digest",
                                  help="One e-mail a day with everything you have not read since the last one.")
    hour = hour_column.selectbox("At", list(range(24)), index=current.digest_hour, format_func=lambda h: f"{h:02d}:00",
                                 key=f"{key}_digest_hour")
    return DeliverySettings(timezone=zone, quiet_start=start if quiet else None, quiet_end=end if quiet else None,
                            digest_enabled=digest, digest_hour=hour)
