"""Forms left open in one tab while another tab logs out (and in again): the form is not accepted,
the page says so, and the way back leads to a fresh copy of the form."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def _log_out(page: Page) -> None:
    with page.expect_navigation():
        page.click(".who button[type=submit]")
    page.wait_for_url("**/login?notice=logged_out")


def _two_tabs(context: BrowserContext, studio: Any, login: Any) -> tuple[Page, Page]:
    form_tab, other_tab = context.new_page(), context.new_page()
    login(other_tab, "ann@example.org")
    form_tab.goto(studio.url + "/me")
    form_tab.fill("#o-other", "spiders")
    return form_tab, other_tab


def test_form_after_logout_in_another_tab_returns_to_its_page_after_login(
    context: BrowserContext, studio: Any, login: Any
) -> None:
    form_tab, other_tab = _two_tabs(context, studio, login)
    _log_out(other_tab)
    with form_tab.expect_navigation():
        form_tab.click("#opt-ins button[type=submit]")
    assert "/login?next=/me&notice=form_not_sent" in form_tab.url
    assert "form you sent was not saved" in form_tab.inner_text("#notice-warning")
    form_tab.fill("#email", "ann@example.org")
    form_tab.fill("#password", PASSWORD)
    with form_tab.expect_navigation():
        form_tab.press("#password", "Enter")
    assert form_tab.url == studio.url + "/me"
    assert form_tab.input_value("#o-other") == ""  # nothing was saved; the form is fresh


def test_form_from_before_logging_in_again_is_refused_with_a_link_back(
    context: BrowserContext, studio: Any, login: Any
) -> None:
    form_tab, other_tab = _two_tabs(context, studio, login)
    _log_out(other_tab)
    login(other_tab, "ann@example.org")
    with form_tab.expect_navigation():
        form_tab.click("#opt-ins button[type=submit]")
    assert form_tab.inner_text("h1").startswith("This form has expired")
    assert "nothing was changed" in form_tab.inner_text("#error-message")
    with form_tab.expect_navigation():
        form_tab.click("#error-back")
    assert form_tab.url == studio.url + "/me"
    assert "spiders" not in form_tab.inner_text("#opt-ins")
