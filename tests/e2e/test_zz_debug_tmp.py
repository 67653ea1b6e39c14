from tests.e2e.test_entra_flow import entra_url, provider, rep, sidebar_text  # noqa


def test_fast_clicks(entra_url, provider, rep, browser):
    provider.next_user = rep
    ok = 0
    for i in range(8):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(entra_url)
        page.get_by_role("button", name="Sign in with Microsoft").wait_for()
        page.wait_for_timeout(i * 150)
        with page.expect_navigation(timeout=20_000):
            page.get_by_role("button", name="Sign in with Microsoft").click()
        assert "Emily Chen" in sidebar_text(page)
        ok += 1
        ctx.close()
    print("OK", ok)
