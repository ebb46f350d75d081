"""The whole journey in a real browser (system Chromium via Playwright) against uvicorn.

Browse and filter, search, open a posting, sign in through a magic link caught by a local SMTP
server, correct a tag, edit the profile, see matches, subscribe to a digest; screenshots of the
main pages go to artifacts/screenshots/.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from store.models import Label, Profile, Subscription, User
from tests.web.accounts_helpers import sign_in_browser

pytest_plugins = ["tests.web.conftest_accounts"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


# Elements sticking out of the viewport, outside any horizontally scrolling container.
WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true; }
    return false; };
  return Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolls(e))
    .slice(0, 5).map((e) => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`);
}"""


def sideways(page: Any) -> int:
    """How far the page scrolls sideways (0 when it fits the screen)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def shot(page: Any, folder: Path, name: str) -> None:
    """Save a full-page screenshot."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def count_of(page: Any) -> int:
    """The number in the openings count line ("1,234 open openings")."""
    text = page.locator("p.count").inner_text()
    match = re.search(r"[\d,]+", text)
    assert match, text
    return int(match.group(0).replace(",", ""))


def test_browse_sign_in_correct_profile_match_subscribe(
    browser: Any, live_site: Any, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    site = live_site.url
    try:
        # Browse and filter.
        page.goto(site + "/")
        assert page.title().startswith("Openings")
        everything = count_of(page)
        assert everything > 100
        shot(page, screenshots, "openings")
        page.locator('section[aria-labelledby="facet-kind"] a').first.click()
        page.wait_for_url(re.compile(r"kind="))
        by_kind = count_of(page)
        assert 0 < by_kind < everything
        assert page.locator('ul.chips[aria-label="Active filters"]').count() == 1
        page.fill("#q", "interpretability")
        page.press("#q", "Enter")
        page.wait_for_url(re.compile(r"q=interpretability"))
        assert "kind=" in page.url  # the search keeps the filter: the URL holds the whole query
        shot(page, screenshots, "openings-filtered")
        page.goto(site + "/postings?q=interpretability")
        assert count_of(page) > 0

        # Open a posting.
        page.locator("ol.cards li.card h3 a").first.click()
        page.wait_for_url(re.compile(r"/postings/\d+$"))
        posting_url = page.url
        posting_id = int(posting_url.rsplit("/", 1)[1])
        assert page.locator("h1").inner_text()
        shot(page, screenshots, "posting")

        # Sign in through the emailed link.
        page.goto(site + "/signin")
        shot(page, screenshots, "signin")
        sign_in_browser(page, live_site, "walker@example.org")
        assert "walker@example.org" in page.locator("main").inner_text()

        # Correct a tag ("wrong tag?").
        page.goto(posting_url)
        page.locator("details.wrong-tag summary").click()
        page.select_option("#fix-kind", "grant")
        page.locator("form.fix-one", has=page.locator("#fix-kind")).locator("button").click()
        page.wait_for_url(re.compile(r"corrected=kind"))
        assert "your correction of the kind tag was recorded" in page.locator("main").inner_text()
        assert "corrected by a person" in page.locator("#tags").inner_text()
        with Session(live_site.engine) as session:
            label = session.exec(select(Label).where(Label.posting_id == posting_id)).one()
            assert (label.field, label.value, label.author) == (
                "kind",
                "grant",
                "walker@example.org",
            )

        # Edit the profile.
        page.goto(site + "/profile")
        page.wait_for_url(re.compile(r"/profiles/new$"))
        page.fill("#name", "Walker Example")
        for kind in ("job", "fellowship"):
            page.check(f"input[name=kinds][value={kind}]")
        for area in ("interpretability", "evals"):
            page.check(f"input[name=areas][value={area}]")
        page.select_option("#style_prefer", "empirical")
        page.fill("#style_strength", "0.7")
        page.select_option("#level_prefer", "contributor")
        page.fill("#places", "London, United Kingdom")
        page.fill("#experience_years", "3")
        page.select_option("#can_reproduce_ml_paper", "yes")
        page.click("button:has-text('Save profile')")
        page.wait_for_url(re.compile(r"saved=1"))
        assert page.locator("main p.notice[role=status]").inner_text().startswith("Saved.")
        assert page.locator("input[name=areas][value=evals]").is_checked()
        shot(page, screenshots, "profile")

        # See matches, with reasons.
        page.click("a:has-text('See your matches')")
        page.wait_for_url(re.compile(r"/matches$"))
        assert page.locator("ol.match-list li.match").count() > 0
        assert page.locator("ol.match-list li.match ul.reasons li").count() > 0
        shot(page, screenshots, "matches")

        # Subscribe to a digest.
        page.click("a:has-text('Get these by email')")
        page.wait_for_url(re.compile(r"/digest$"))
        page.fill("#digest-email", "walker@example.org")
        page.select_option("#frequency", "daily")
        page.click("button:has-text('Subscribe')")
        page.wait_for_url(re.compile(r"saved=1"))
        assert "Active: a daily digest" in page.locator("main").inner_text()
        shot(page, screenshots, "digest")
        with Session(live_site.engine) as session:
            user = session.exec(select(User).where(User.email == "walker@example.org")).one()
            profile = session.exec(select(Profile).where(Profile.user_id == user.id)).one()
            sub = session.exec(select(Subscription).where(Subscription.user_id == user.id)).one()
            assert (sub.profile_id, sub.frequency, sub.active) == (profile.id, "daily", True)

        # The other main pages, signed in (the role map marks the stated preference).
        for path, name in (
            ("/map", "rolemap"),
            ("/deadlines", "deadlines"),
            ("/sources", "sources"),
            ("/account", "account"),
        ):
            response = page.goto(site + path)
            assert response is not None and response.status == 200, path
            shot(page, screenshots, name)
        page.goto(site + "/map")
        assert "your stated preference" in page.locator("main").inner_text()
        assert errors == []
    finally:
        context.close()


def test_phone_width_and_keyboard(browser: Any, live_site: Any, screenshots: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        for path, name in (
            ("/postings?q=interpretability", "openings-phone"),
            ("/signin", "signin-phone"),
            ("/map", "rolemap-phone"),
        ):
            page.goto(live_site.url + path)
            assert sideways(page) <= 1, f"{path} scrolls sideways on a phone: {page.evaluate(WIDE)}"
            shot(page, screenshots, name)
        # Keyboard only: tab to the email field, type, submit with Enter.
        page.goto(live_site.url + "/signin")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "email":
                break
        else:
            pytest.fail("the email field cannot be reached with the Tab key")
        page.keyboard.type("keys@example.org")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=We sent a sign-in link")
    finally:
        context.close()


def test_long_unbroken_titles_wrap_on_a_phone(
    browser: Any, live_site: Any, screenshots: Path
) -> None:
    # Crawled titles and organisation names can be one long token (a URL, or the hostile
    # postings' payloads): they must wrap, not push the page sideways.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        for path in ("/", f"/postings/{live_site.hostile_ids[0]}"):
            page.goto(live_site.url + path)
            assert sideways(page) <= 1, f"{path} scrolls sideways: {page.evaluate(WIDE)}"
    finally:
        context.close()
