"""Nexus360's web server: Home.py with the app's own routes and middleware (nexus360/ui/server.py).

`streamlit run app.py` detects the ASGI app below and serves it; `python -m nexus360 serve` (and `make run`)
does that for you.
"""

import streamlit as st

from nexus360.ui.server import MIDDLEWARE, ROUTES, quiet_access_log

quiet_access_log()
app = st.App("Home.py", routes=ROUTES, middleware=MIDDLEWARE)
