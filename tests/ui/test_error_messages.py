"""Security 5: an error that quotes what a person typed shows it as typed (ui/session.py's messages), never as
Markdown (an image there would be fetched by whoever reads the message)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from nexus360.ui.formatting import literal

TYPED = "![x](http://127.0.0.1:9/pixel.png) **b** :red[c]"


def raising(kind: str) -> None:
    import streamlit as st

    from nexus360.common.errors import ValidationError
    from nexus360.ui.session import _shown_in_place, friendly_errors

    typed = "![x](http://127.0.0.1:9/pixel.png) **b** :red[c]"
    error = ValidationError(f"The {kind} '{typed}' is taken.")
    if st.session_state.get("in_place"):
        _shown_in_place(lambda: (_ for _ in ()).throw(error), ValidationError)  # the action named in the log
    else:
        with friendly_errors():
            raise error


def messages(kind: str, *, in_place: bool) -> list[str]:
    app = AppTest.from_function(raising, args=(kind,))
    app.session_state["in_place"] = in_place
    app.run()
    assert not app.exception
    return [element.value for element in [*app.error, *app.warning]]


def test_a_service_error_quoting_typed_text_shows_it_as_typed() -> None:
    for in_place in (False, True):  # friendly_errors (call, cached) and _shown_in_place (submit, submit_flow)
        assert messages("name", in_place=in_place) == [literal(f"The name '{TYPED}' is taken.")]
