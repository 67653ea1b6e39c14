"""ui/charts.py: the CRM dashboard's stage bars (HTML) show names as written and amounts in full."""

from __future__ import annotations

import pandas as pd

from nexus360.ui.charts import stage_rows


def test_stage_rows_escape_stage_names_and_label_each_bar() -> None:
    frame = pd.DataFrame({"stage": ["<b>Pitch</b> & co", "Proposal"], "amount": [2_000_000.0, 0.0],
                          "deals": [1_200, 0]})
    body = stage_rows(frame)
    assert "<b>Pitch</b>" not in body and "&lt;b&gt;Pitch&lt;/b&gt; &amp; co" in body
    assert "$2.0M · 1,200 deals" in body and "$2,000,000 in 1,200 open deals" in body  # tooltip: the exact amount
    assert "width:68.0%" in body and "width:0.0%" in body  # the largest stage spans the bar area, the rest in scale
