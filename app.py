"""Nexus360's web server: Home.py with the app's own routes and middleware (nexus360/ui/server.py).

`streamlit run app.py` detects the ASGI app below and serves it; `python -m nexus360 serve` (and `make run`)
does that for you.
"""

# The forecast baseline imports statsmodels on first use (to keep the command line and the tests quick to start);
# in the server that first use held the GIL ~1.2 s while every session's rerun waited (py-spy under `bench
# sessions`). The server imports it at its start instead. (Our page modules cannot be imported here: a custom
# component declared outside a script run is never registered, e.g. the sign-in's cookie component.)
import statsmodels.tsa.exponential_smoothing.ets  # noqa: F401
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from nexus360.ui.server import MIDDLEWARE, ROUTES, quiet_access_log

# Streamlit takes a folder named pages/ beside the main script for an old-style multipage app until the process's
# first st.navigation call, so the first run after a start named its widgets differently from every later run:
# the first sign-in after a start was read as an empty form. Home.py always builds its own navigation.
PagesManager.uses_pages_directory = False
quiet_access_log()
app = st.App("Home.py", routes=ROUTES, middleware=MIDDLEWARE)
