"""What hostile and odd people type or upload: every unicode category (control characters, NUL included),
right-to-left and zero-width characters, huge strings, boundary numbers, dates far away, malformed files."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ODD = ("\x00", "\u202e", "\u200b", "\u200f", "\ufeff", "\u2028", "\r\n", "\t", "=cmd|' /C calc'!A0", "<script>",
       "'; drop table users; --", "%s", "{0}", "\\", "😀", "ǅ", "İ", "ß", "\u0301", "NULL", "None", "-0", "1e309")

# Text as a form or a CSV cell delivers it: any code point a browser can send (no lone surrogates).
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(ODD), max_size=6).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "\u200b", " ", "9"]), st.integers(250, 20_000)),
)
optional_text = st.none() | text
numbers = st.one_of(
    st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**63), 2**63, 10**15, 10**16, 0.005, -0.0]),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True), text,
)
dates = st.one_of(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.none(),
                  st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1970, 1, 1), date(2000, 2, 29)]))

# Hypothesis examples share the test's rolled-back sessions: each example works inside its own savepoint.
ON_DATABASE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                               HealthCheck.too_slow])
PURE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
