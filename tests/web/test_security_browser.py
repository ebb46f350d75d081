"""Hostile postings in a real browser: nothing they carry may run, load or restyle the page.

Chromium (the system's) loads every page that shows crawled text, with postings whose title,
organisation, locations, evidence sentences, links and description are attacker-controlled
(tests/web/accounts_hostile.py). A page passes when no dialog opened, no console line or page
error carries a payload marker, the beacon server saw no request, no Content-Security-Policy
violation was reported (nothing hostile even reached the DOM in a runnable form), and the DOM
holds no event-handler attribute, javascript:/data: link, inline style, <style>, frame, object,
or script other than the site's own.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.web.accounts_helpers import sign_in_browser
from tests.web.accounts_hostile import MARK, TITLES

pytest_plugins = ["tests.web.conftest_accounts"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || ''} ${e.sample || ''}`.trim());
});
"""
AUDIT = """() => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'data', 'formaction', 'xlink:href', 'srcdoc',
                    'background', 'poster'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(`${el.tagName} has ${name}`);
      if (name === 'style') bad.push(`${el.tagName} has style="${a.value}"`);
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data):/.test(value)
          && !(el.tagName === 'IMG' && value.startsWith('data:image/'))) {
        bad.push(`${el.tagName} ${name}=${a.value}`);
      }
    }
  }
  const forbidden = ['iframe', 'frame', 'object', 'embed', 'base', 'meta[http-equiv]', 'style',
    'link[rel~=stylesheet]:not([href^="/static/"])', 'script:not([src^="/static/"])',
    'form:not([action^="/"])', '.description svg', '.description img', '[data-pwned]'];
  for (const selector of forbidden) {
    if (document.querySelector(selector)) bad.push(`found ${selector}`);
  }
  if (getComputedStyle(document.body).backgroundColor === 'rgb(255, 0, 0)') bad.push('red body');
  return {bad, csp: window.__csp || []};
}"""


@pytest.fixture(scope="module")
def context(browser: Any, live_site: Any) -> Iterator[Any]:
    """A browser context with the CSP watcher installed in every page."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    ctx.set_default_timeout(15000)
    ctx.add_init_script(WATCH)
    yield ctx
    ctx.close()


def visit_and_audit(context: Any, live_site: Any, path: str) -> dict[str, Any]:
    """Open ``path``, hover and wait a moment, and return everything suspicious seen."""
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        response = page.goto(live_site.url + path)
        assert response is not None
        if page.locator(".description").count():  # for onmouseover payloads
            page.locator(".description").first.hover()
        page.wait_for_timeout(50)  # let failed image loads fire their onerror
        audit = page.evaluate(AUDIT)
        return {
            "status": response.status,
            "dialogs": dialogs,
            "console": [c for c in console if MARK in c],
            "errors": errors,
            "bad": audit["bad"],
            "csp": audit["csp"],
            "text": page.locator("body").inner_text(),
        }
    finally:
        page.close()


def assert_clean(seen: dict[str, Any], beacon_hits: list[str]) -> None:
    """Nothing ran, loaded or got into the DOM."""
    assert seen["status"] < 500
    assert seen["dialogs"] == [], seen["dialogs"]
    assert seen["console"] == [], seen["console"]
    assert seen["errors"] == [], seen["errors"]
    assert seen["bad"] == [], seen["bad"]
    assert seen["csp"] == [], seen["csp"]
    assert beacon_hits == [], beacon_hits


PUBLIC_PAGES = [
    "/",
    "/postings?sort=newest",
    "/postings?q=" + quote('<script>alert("XSS-q1")</script>'),
    "/postings?q=" + quote("\"><svg onload=alert('XSS-q2')>"),
    "/postings?kind=" + quote("<script>alert('XSS-q3')</script>") + "&sort=" + quote('"><b>'),
    "/postings?q=evals&org_type=nonprofit",
    "/map",
    "/deadlines",
    "/sources",
    "/postings/999999?x=" + quote("<script>alert('XSS-p1')</script>"),
    "/nowhere/" + quote("<script>alert('XSS-p2')</script>"),
    "/signin?next=" + quote("javascript:alert('XSS-n1')"),
    "/signin/verify?token=" + quote("<script>alert('XSS-n2')</script>"),
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_inert(context: Any, live_site: Any, path: str) -> None:
    assert_clean(visit_and_audit(context, live_site, path), live_site.beacon_hits)


@pytest.mark.parametrize("index", range(len(TITLES)))
def test_hostile_posting_pages_are_inert_and_show_the_text(
    context: Any, live_site: Any, index: int
) -> None:
    posting_id = live_site.hostile_ids[index]
    seen = visit_and_audit(context, live_site, f"/postings/{posting_id}")
    assert_clean(seen, live_site.beacon_hits)
    assert seen["status"] == 200
    # Escaped, not dropped: the title reads as the literal text the source sent.
    assert TITLES[index].split(">")[0] in seen["text"]
    assert "Join our alignment team." in seen["text"]  # the harmless markup survives
    assert "{{7*7}}" in seen["text"] or index != 1


def test_hostile_postings_are_listed(context: Any, live_site: Any) -> None:
    seen = visit_and_audit(context, live_site, "/postings?q=" + quote("Evil Org"))
    assert_clean(seen, live_site.beacon_hits)
    assert "Evil Org" in seen["text"]


def test_signed_in_pages_with_hostile_input_are_inert(
    context: Any, browser: Any, live_site: Any
) -> None:
    ctx = browser.new_context()
    ctx.set_default_timeout(15000)
    ctx.add_init_script(WATCH)
    try:
        page = ctx.new_page()
        sign_in_browser(page, live_site, "mallory@example.org")
        page.goto(live_site.url + "/profiles/new")
        page.fill("#name", "<script>alert('XSS-pn')</script>Mallory")
        page.fill("#bio", "</textarea><img src=x onerror=alert('XSS-pb')>")
        page.fill("#skills", "\"><svg onload=alert('XSS-ps')>")
        page.check("input[name=areas][value=evals]")
        page.click("button:has-text('Save profile')")
        page.wait_for_url("**/profiles/*?saved=1")
        profile_path = page.url.removeprefix(live_site.url).split("?")[0]
        page.goto(live_site.url + "/account/tokens")
        page.fill("#token-name", "<img src=x onerror=alert('XSS-tk')>")
        # Let the form's navigation finish: closing a page mid-navigation can hang Chromium.
        with page.expect_navigation():
            page.click("button:has-text('Create token')")
        page.close()
        for path in [
            profile_path,
            profile_path + "/matches",
            profile_path + "/matches?excluded=true",
            profile_path + "/digest",
            "/account",
            "/account/tokens",
        ]:
            seen = visit_and_audit(ctx, live_site, path)
            assert_clean(seen, live_site.beacon_hits)
            assert seen["status"] == 200, path
        matches = visit_and_audit(ctx, live_site, profile_path + "/matches")
        assert "Evil Org" in matches["text"]  # the hostile postings are among the matches
    finally:
        ctx.close()


def test_the_probe_sees_a_payload_that_runs(context: Any, live_site: Any) -> None:
    # The checks above pass only if they can fail: feed the same probe an unsafe page.
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.set_content(
            "<body><img src=x onerror=\"alert('XSS-probe')\"><a href='javascript:1'>x</a>"
            "<p style='color:red'>s</p><script>document.body.setAttribute('data-pwned', 1)"
            "</script></body>"
        )
        page.wait_for_timeout(100)
        audit = page.evaluate(AUDIT)
    finally:
        page.close()
    assert dialogs == ["XSS-probe"]
    joined = " ".join(audit["bad"])
    for expected in (
        "IMG has onerror",
        "A href=javascript:1",
        "P has style",
        "[data-pwned]",
        "script:not",
    ):
        assert expected in joined, expected
