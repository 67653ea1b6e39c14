"""A Streamlit client without a browser: Streamlit's own websocket protocol, for driving many sessions at once.

The browser and the server talk over `/_stcore/stream` in protobuf: the browser sends a `BackMsg` whose
`rerun_script` carries the page it wants and the value of every widget (`WidgetStates`); the server runs the
script and streams `ForwardMsg`s: the page list (`navigation`), one `delta` per element and block drawn, and
`script_finished`. This client does the same, so a run costs the server exactly what a browser's costs, while
the client parses a few protobuf messages instead of rendering a page (a headless Chromium per session would
need more CPU than the server it measures). What it cannot do is run custom components' JavaScript: the sign-in
cookie's component never answers, which changes nothing for a session that stays connected.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

RUN_TIMEOUT_SECONDS = 120.0
_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@dataclass(frozen=True)
class Widget:
    kind: str  # the Element's type: text_input, button, selectbox, ... or "tabs" for a stateful tab bar
    id: str
    label: str
    form_id: str = ""
    disabled: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppPage:
    script_hash: str
    url_path: str
    title: str
    hidden: bool


@dataclass
class Run:
    """One script run as the person saw it: how long until the page stood still, what it drew."""

    ms: float
    widgets: list[Widget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error boxes and exceptions the page showed
    texts: list[str] = field(default_factory=list)  # every text element's words (markdown, captions, alerts)

    def widget(self, kind: str, label: str | None = None, *, in_form: bool | None = None) -> Widget | None:
        for widget in self.widgets:
            if widget.kind == kind and (label is None or widget.label == label) and \
                    (in_form is None or bool(widget.form_id) == in_form):
                return widget
        return None


class StreamlitSession:
    """One browser tab's worth of Streamlit session over one websocket."""

    def __init__(self, base_url: str, *, client_address: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_address = client_address
        self.pages: list[AppPage] = []
        self.page: AppPage | None = None
        self.received_bytes = 0
        self._socket: ClientConnection | None = None

    async def __aenter__(self) -> StreamlitSession:
        stream = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        # As a proxy in front of the app says who the person is (the server trusts it from 127.0.0.1 only).
        headers = {"X-Forwarded-For": self.client_address} if self.client_address else None
        self._socket = await connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                     ping_interval=None, additional_headers=headers)
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def run(self, states: list[WidgetState] = (), *, page: AppPage | None = None) -> Run:
        """Rerun the script (on `page`, else the current one) with these widget values; wait for it to finish."""
        assert self._socket is not None, "use `async with StreamlitSession(url)`"
        target = page or self.page
        message = BackMsg()
        client = message.rerun_script
        client.query_string = ""
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        client.context_info.url = f"{self.base_url}/{target.url_path if target else ''}"
        if target is not None:
            client.page_script_hash = target.script_hash
            client.page_name = target.url_path
        client.widget_states.widgets.extend(states)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = Run(ms=0.0)
        async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
            while True:
                data = await self._socket.recv()
                self.received_bytes += len(data)
                forward = ForwardMsg()
                forward.ParseFromString(data)
                kind = forward.WhichOneof("type")
                if kind == "delta":
                    self._read_delta(forward.delta, run)
                elif kind == "navigation":
                    self._read_navigation(forward.navigation)
                elif kind == "new_session":
                    run.widgets.clear()
                    run.errors.clear()
                    run.texts.clear()
                elif kind == "script_finished":
                    if forward.script_finished in _DONE:
                        break
                    run.widgets.clear()  # interrupted by a rerun (st.rerun, a callback): the next run counts
                    run.errors.clear()
                    run.texts.clear()
        run.ms = (time.perf_counter() - started) * 1000
        if page is not None:
            self.page = page
        return run

    def _read_navigation(self, navigation: Any) -> None:
        self.pages = [AppPage(page.page_script_hash, page.url_pathname, page.page_name, page.is_hidden)
                      for page in navigation.app_pages]
        current = next((page for page in self.pages if page.script_hash == navigation.page_script_hash), None)
        if current is not None:
            self.page = current

    def _read_delta(self, delta: Any, run: Run) -> None:
        which = delta.WhichOneof("type")
        if which == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                run.widgets.append(Widget("tabs", block.tab_container.id, "", options=()))
            elif block.WhichOneof("type") == "tab" and run.widgets and run.widgets[-1].kind == "tabs":
                bar = run.widgets.pop()
                run.widgets.append(Widget("tabs", bar.id, "", options=(*bar.options, block.tab.label)))
            return
        if which != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        body = getattr(element, kind)
        if kind == "alert":
            run.texts.append(body.body)
            if body.format == Alert.ERROR:
                run.errors.append(body.body)
        elif kind == "exception":
            run.errors.append(f"{body.type}: {body.message}")
        elif kind in ("markdown", "text", "heading", "caption", "code", "metric"):
            run.texts.append(_text_of(kind, body))
        widget_id = getattr(body, "id", "")
        if widget_id and isinstance(widget_id, str):
            options = tuple(str(option) for option in getattr(body, "options", ()) if isinstance(option, str))
            run.widgets.append(Widget(kind, widget_id, getattr(body, "label", ""), getattr(body, "form_id", ""),
                                      bool(getattr(body, "disabled", False)), options))


def _text_of(kind: str, body: Any) -> str:
    if kind == "metric":
        return f"{body.label} {body.body}"
    return str(getattr(body, "body", "") or getattr(body, "text", ""))


def text_value(widget: Widget, value: str) -> WidgetState:
    return WidgetState(id=widget.id, string_value=value)


def click(widget: Widget) -> WidgetState:
    return WidgetState(id=widget.id, trigger_value=True)
