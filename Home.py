"""Nexus360: the router. Page config, the sign-in gate, and navigation to the pages the user may open."""

import streamlit as st

from nexus360.ui import monitoring, navigation, server, sidebar, signin

# A file of the app, served by the app: a Material icon here made every page fetch the favicon from a font CDN.
st.set_page_config(page_title="Nexus360", page_icon=str(server.FAVICON), layout="wide")

# The sign-in gate draws into its own slot, so that the page below it starts at the same place in every run:
# a run that draws the cookie frame and the next run that does not then show one page, not two.
with st.container(key="sign_in_gate"):
    principal = signin.signed_in_principal()
st.set_page_config(initial_sidebar_state="expanded")  # the sign-in page collapsed it
sections: dict[str, list] = {}
for spec in navigation.PAGES:
    if spec.allowed(principal):
        page = st.Page(
            str(navigation.PAGES_DIR / spec.script), title=spec.title, icon=spec.icon, url_path=spec.url_path,
            default=spec.url_path == "home",
        )
    else:  # reachable by URL only, and then it shows a refusal instead of running the page
        page = st.Page(navigation.refusal_page(spec), title=spec.title, icon=spec.icon, url_path=spec.url_path,
                       visibility="hidden")
    sections.setdefault(spec.section, []).append(page)
current = st.navigation(sections)
sidebar.render(principal)
with monitoring.page_run(current.url_path or "home", principal.id):  # logged; an uncaught error: a sentence + id
    current.run()
