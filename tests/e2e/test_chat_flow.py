"""A rep asks the Assistant, reads the streamed answer, opens its citation, renames and deletes the conversation."""

from __future__ import annotations

from tests.e2e.browser import DEMO_PASSWORD, screenshot, sign_in, wait_idle


def test_rep_asks_opens_a_citation_renames_and_deletes(app_url: str, page) -> None:
    sign_in(page, app_url, "rep", DEMO_PASSWORD)
    page.goto(f"{app_url}/chat")
    page.get_by_role("heading", name="Assistant").wait_for(timeout=30_000)
    wait_idle(page)
    box = page.get_by_placeholder("Ask about a policy, your deals, pipeline, commission or campaigns")
    box.fill("Who approves a 25% discount?")
    box.press("Enter")
    answer = page.locator("[data-testid=stChatMessage]").filter(has_text="No language model is configured")
    answer.wait_for(timeout=30_000)
    wait_idle(page)
    assert "VP of Sales" in answer.inner_text()
    citation = page.get_by_role("button", name="[1] Discount approval policy")
    citation.first.click()
    passage = page.locator("[data-testid=stPopoverBody]").filter(has_text="List prices are in the price book")
    passage.wait_for(timeout=10_000)
    screenshot(page, "assistant-rep-citation")
    page.keyboard.press("Escape")
    wait_idle(page)

    page.get_by_role("button", name="Rename").click()
    title = page.locator("[data-testid=stPopoverBody]").get_by_label("Title")
    title.fill("Discount approvals")
    page.get_by_role("button", name="Save title").click()
    wait_idle(page)
    conversations = page.locator("[data-testid=stRadio]")
    assert conversations.get_by_text("Discount approvals").is_visible()

    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("button", name="Delete for good").click()
    wait_idle(page)
    assert conversations.get_by_text("Discount approvals").count() == 0
    screenshot(page, "assistant-rep-after-delete")
