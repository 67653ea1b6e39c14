"""The offline provider: tools by intent, answers with their figures and the best passages, cited."""

from __future__ import annotations

from nexus360.chat.answers import flows
from nexus360.chat.conversations import service as conversations
from nexus360.common.money import money_exact
from nexus360.common.periods import quarter_of, today_utc
from nexus360.config import Settings
from nexus360.db import Database, session_scope
from nexus360.demo import crm as crm_demo
from nexus360.forecasting import flows as forecasting_flows

OFFLINE = Settings(ai_provider="offline")


def ask(principal, question, cleanup, conversation_id=None):
    stream = flows.ask(principal, question=question, conversation_id=conversation_id, settings=OFFLINE)
    cleanup.append((principal, stream.conversation_id))
    chunks = list(stream)
    assert len(chunks) > 1  # it streams
    return stream.answer


def test_a_policy_question_is_answered_from_the_knowledge_base_with_citations(rep, conversations_cleanup) -> None:
    answer = ask(rep, "What is our policy on lead hand-off?", conversations_cleanup)
    assert "No language model is configured" in answer.text
    assert answer.citations and answer.citations[0].title == "Lead hand-off SLA between marketing and sales"
    assert "[1]" in answer.text
    with session_scope(Database.CHAT, actor=rep) as session:
        messages = conversations.list_messages(session, rep, conversation_id=answer.conversation_id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert all(m.tokens and m.tokens > 0 for m in messages)
    assert messages[1].citations[0].content == answer.citations[0].content


def test_a_rep_asking_for_their_commission_gets_their_statement(rep, conversations_cleanup) -> None:
    answer = ask(rep, "How is my commission computed?", conversations_cleanup)
    run = answer.tool_runs[0]
    assert run.tool == "commission_statement" and not run.refused
    assert run.summary.startswith("Your ") and run.rows
    assert run.columns == ["Deal or item", "Commission", "How it is computed"]
    # lines read as on the Commissions page: a deal by its title, a tier as "Tier", never "deal #1607"
    assert not any("#" in str(cell) for row in run.rows for cell in row)
    assert {row[0] for row in run.rows} - {""} and all(row[0] != "tier" for row in run.rows)
    assert any(c.title == "The commission plan explained" for c in answer.citations)


def test_a_rep_asking_for_another_reps_commission_is_refused_with_the_reason(rep, manager,
                                                                            conversations_cleanup) -> None:
    answer = ask(rep, f"What commission did {manager.display_name} earn?", conversations_cleanup)
    run = answer.tool_runs[0]
    assert run.refused and run.rows == [] and "sales managers" in run.reason
    assert "I can't show this" in answer.text


def test_a_manager_asks_which_team_deals_slipped(manager, conversations_cleanup) -> None:
    answer = ask(manager, "Which deals in my team slipped this month?", conversations_cleanup)
    run = answer.tool_runs[0]
    assert (run.tool, run.parameters) == ("list_deals", {"scope": "team", "which": "slipped"})
    assert not run.refused and "close date passed" in run.summary
    # the demo has deals that slipped earlier this month (none on the first of a month)
    assert len(run.rows) == (0 if today_utc().day == 1 else crm_demo.SLIPPED_DEALS)
    assert ("They are listed below." in answer.text) == bool(run.rows)


def test_a_marketer_gets_no_commission_and_a_reason(marketer, conversations_cleanup) -> None:
    answer = ask(marketer, "What is my commission this quarter?", conversations_cleanup)
    assert answer.tool_runs[0].refused
    assert "does not include commission statements" in answer.tool_runs[0].reason


def test_a_question_with_no_source_says_so(rep, conversations_cleanup) -> None:
    answer = ask(rep, "What is the best lasagna recipe?", conversations_cleanup)
    assert answer.text.startswith("I found no source") and answer.citations == [] and answer.tool_runs == []


def test_the_forecast_tool_answers_with_the_figures_of_the_forecasts_page(manager, conversations_cleanup) -> None:
    answer = ask(manager, "What is our forecast for this quarter?", conversations_cleanup)
    run = next(run for run in answer.tool_runs if run.tool == "forecast")
    page = forecasting_flows.get_overview(manager, period=quarter_of(today_utc()))
    assert not run.refused and run.summary.startswith(f"{page.period_label} for {page.scope_label}: won so far")
    assert [row[0] for row in run.rows][:len(page.methods)] == [method.label for method in page.methods]
    assert run.rows[0][1] == money_exact(page.methods[0].value)


def test_a_marketer_asking_for_the_forecast_is_refused_with_the_reason(marketer, conversations_cleanup) -> None:
    answer = ask(marketer, "What is our forecast for this quarter?", conversations_cleanup)
    run = next(run for run in answer.tool_runs if run.tool == "forecast")
    assert run.refused and run.rows == [] and "cannot read forecasts" in run.reason


def test_a_marketer_asking_for_the_best_roi_gets_the_campaigns_best_first(marketer, conversations_cleanup) -> None:
    answer = ask(marketer, "Which campaigns have the best ROI?", conversations_cleanup)
    run = answer.tool_runs[0]
    assert run.tool == "campaign_roi" and not run.refused and run.rows
    rois = [float(row[-1].rstrip("%").replace(",", "")) for row in run.rows if row[-1] != "no budget"]
    assert rois == sorted(rois, reverse=True)
    assert f"Best return: {run.rows[0][0]} ({run.rows[0][-1]})." in run.summary
