"""Every page each demo role can reach by following links opens cleanly.

The demo project (a few HumanEval tasks, with a handful of judgments by the demo annotators so
that the quality, review and report pages have something to show) is served by a studio of its
own. For the admin, the manager and an annotator, the crawl logs in through the login form, then
follows every same-origin ``<a href>`` breadth first (at most ``MAX_PAGES`` pages, and at most
``PER_PATTERN`` URLs per path pattern, where ids and query values are wildcards). Each page must:

- answer 200 (no page links to something its viewer may not open, so 403 and 404 count too),
- log no console error (CSP violations included) and throw no uncaught error,
- load every subresource (no failed request, no 4xx/5xx answer),
- have a non-empty ``<title>`` and a non-empty ``<h1>``,
- show no template or Python artefacts (``None``, ``{{``, ``Traceback``, ``undefined``, ``NaN``,
  ``[object Object]``, reprs …) outside ``<pre>``/``<code>``, where model output and code live,
- carry a CSRF token in every POST form.

``/api/v1/...`` links are fetched with the same session and must answer 200 with JSON.
Problems are collected for the whole crawl and reported together.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response
from sqlalchemy import select

from codejury.assign import JudgmentIn, Lease, next_item_for, submit_judgment
from codejury.config import Settings
from codejury.db import open_database
from codejury.db.models import Item, Judgment, Project, User
from codejury.demo import ACCOUNTS, PASSWORD, SLUG, build_demo
from codejury.quality import contests, review
from codejury.quality.store import refresh_flags
from support.server import serving

pytestmark = pytest.mark.browser

TASKS = 3
MAX_PAGES = 150
PER_PATTERN = 3
ROLES = ("annotator", "manager", "admin")  # in this order, each finds an item to judge
EMAILS = {role: next(email for email, _, r in ACCOUNTS if r == role) for role in ROLES}
ANNOTATORS = [email for email, _, role in ACCOUNTS if role == "annotator"]

SKIP_PATHS = re.compile(r"^/(static/|logout\b|favicon\.ico$)")
JSON_PATHS = re.compile(r"^/api/v\d+/")
ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36}|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{5,})$")
ARTEFACTS = {
    "None": re.compile(r"^None$|[\w:=,(]\s*\bNone\b"),  # not "None of your projects …"
    "null": re.compile(r"\bnull\b"),
    "undefined": re.compile(r"\bundefined\b"),
    "NaN": re.compile(r"\bNaN\b"),
    "Infinity": re.compile(r"\bInfinity\b"),
    "[object Object]": re.compile(r"\[object \w+\]"),
    "template syntax": re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"),
    "Traceback": re.compile(r"Traceback|Internal Server Error"),
    "Python repr": re.compile(
        r"<[\w.]+ object at 0x|\b(?:datetime\.)?(?:datetime|date|Decimal|UUID)\(|"
        r"<codejury\.|\{'\w+': |\bTrue\b|\bFalse\b"
    ),
}
INLINE_CODE = re.compile(r"`[^`]*(?:`|$)")  # reasons quote a failing test as `assert …`
# Text inside code (``<pre>``, ``<code>``, the judging page's ``ol.code`` lines …) is model output
# or test code, where ``None`` or ``{{`` may well be meant: left out of the artefact check.
PAGE_SCAN = """() => {
  const code = "pre, code, kbd, samp, script, style, textarea, template, noscript, .code, .src";
  const outsideCode = (el) => !el.closest(code);
  const text = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeValue.trim() && outsideCode(n.parentElement)) text.push(n.nodeValue.trim());
  }
  const attrs = [];
  const named = "[title], [aria-label], [alt], [placeholder], input:not([type=hidden])[value]";
  for (const el of document.body.querySelectorAll(named)) {
    if (!outsideCode(el)) continue;
    for (const a of ["title", "aria-label", "alt", "placeholder", "value"]) {
      const v = el.getAttribute(a);
      if (v && !(a === "value" && el.tagName !== "INPUT")) attrs.push(`${el.tagName.toLowerCase()}[${a}]=${v}`);
    }
  }
  const forms = [...document.forms].map((f) => ({
    method: (f.getAttribute("method") || "get").toLowerCase(),
    action: f.getAttribute("action") || "",
    id: f.id,
    csrf: [...f.querySelectorAll('input[type=hidden][name=csrf_token]')].map((i) => i.value),
  }));
  const links = [...document.querySelectorAll("a[href]")]
    .filter((a) => !a.hasAttribute("download"))
    .map((a) => a.href);
  const h1 = [...document.querySelectorAll("h1")].map((h) => h.textContent.trim());
  return {title: document.title, h1, text, attrs, forms, links,
          scripts: document.scripts.length};
}"""


@dataclass(frozen=True)
class Problem:
    role: str
    url: str  # path and query
    check: str
    detail: str
    found_on: str = ""

    def __str__(self) -> str:
        via = f" (linked from {self.found_on})" if self.found_on else ""
        return f"[{self.role}] {self.url}{via}: {self.check}: {self.detail}"


@dataclass
class Crawl:
    role: str
    pages: list[str] = field(default_factory=list)
    json_links: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


# -- the demo studio -------------------------------------------------------------------------


class _GoldFirst(random.Random):
    """Makes the assignment engine hand out gold whenever it may."""

    def random(self) -> float:
        return 0.0


def _judge(s: Any, user: User, project: Project, n: int, seconds: float, gold: bool) -> list[int]:
    """Up to ``n`` judgments through the intake; gold items are answered wrong."""
    rng: random.Random = _GoldFirst() if gold else random.Random(user.id)
    done = []
    for i in range(n):
        lease = next_item_for(s, user, project, lease_minutes=20, rng=rng)
        if not isinstance(lease, Lease):
            break
        item = s.get_one(Item, lease.item_id)
        if item.is_gold and item.gold_answer:
            order, strength = list(reversed(item.gold_answer["ranking"])), 2
        else:
            order, strength = list(lease.display_order)[:: 1 - 2 * (i % 2)], 1 + i % 2
        payload = JudgmentIn(
            ranking=order, strength=strength, rationale=f"Reason {i}.", active_seconds=seconds
        )
        key = uuid.uuid4().hex
        done.append(submit_judgment(s, user, lease.assignment_id, payload, idempotency_key=key))
    return [r.judgment_id for r in done]


def _activity(db: Any) -> None:
    """Work on the demo project, so that every page has something to show and its forms.

    Ann misses gold items (one contested) and has a judgment rejected (appealed) and one sent
    back for rework (not appealed); Bo works too fast and is flagged; Cy just works. Enough work
    is left for each crawling role's judging page to lease an item.
    """
    with db.session() as s:
        project = s.scalars(select(Project).where(Project.slug == SLUG)).one()
        manager, ann, bo, cy = (
            s.scalars(select(User).where(User.email == e)).one()
            for e in (EMAILS["manager"], *ANNOTATORS)
        )
        gold = _judge(s, ann, project, 3, 40, gold=True)
        regular = _judge(s, ann, project, 2, 40, gold=False)
        _judge(s, bo, project, 5, 3, gold=False)
        _judge(s, cy, project, 3, 40, gold=False)
        refresh_flags(s, project)
        missed = [j for j in gold if s.get_one(Item, s.get_one(Judgment, j).item_id).is_gold]
        if missed:  # gold items exist only where the sandbox could verify mutants
            contests.contest_gold(s, ann, s.get_one(Judgment, missed[0]), "The tests are wrong.")
        if len(regular) == 2:
            rejected, rework = (s.get_one(Judgment, j) for j in regular)
            why = "The rationale does not say why."
            row = review.review_judgment(
                s, manager, rejected, "reject", "low_effort_rationale", why
            )
            review.appeal(s, ann, row, "It does, in one sentence.", deadline_days=7)
            review.review_judgment(s, manager, rework, "rework", "ignored_guidelines", why)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{data / 'codejury.sqlite3'}"
    db = open_database(url)
    try:
        build_demo(db, Settings(data_dir=data, database_url=url), tasks=TASKS, log=lambda _: None)
        _activity(db)
    finally:
        db.dispose()
    with serving(data, url, "crawl-test-secret-0123456789abcdef") as base:
        yield base


# -- the crawl ---------------------------------------------------------------------------------


def _pattern(url: str) -> str:
    """The URL with ids and query values as wildcards: at most ``PER_PATTERN`` of each are visited."""
    parts = urlsplit(url)
    path = "/".join("*" if ID_SEGMENT.match(seg) else seg for seg in parts.path.split("/"))
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def _is_json(text: str) -> bool:
    """Whether the text is a JSON object or list (the audit log shows changes that way)."""
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Crawler:
    def __init__(self, page: Page, base: str, role: str, max_pages: int = MAX_PAGES) -> None:
        self.page, self.base, self.role, self.max_pages = page, base, role, max_pages
        self.result = Crawl(role)
        self.events: list[tuple[str, str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.events.append(("uncaught error", str(exc))))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.events.append(("console error", msg.text))

    def _failed(self, request: Request) -> None:
        self.events.append(("failed request", f"{request.url}: {request.failure}"))

    def _response(self, response: Response) -> None:
        request = response.request
        if response.status >= 400 and not request.is_navigation_request():
            self.events.append(("failed request", f"{response.status} {request.url}"))

    def problem(self, url: str, check: str, detail: str, found_on: str = "") -> None:
        self.result.problems.append(Problem(self.role, _local(url), check, detail, found_on))

    def login(self) -> str:
        page = self.page
        page.goto(self.base + "/login")
        page.fill("#email", EMAILS[self.role])
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.press("#password", "Enter")
        assert urlsplit(page.url).path != "/login", f"{self.role} could not log in"
        return page.url

    def run(self, start: str | None = None) -> Crawl:
        """Log in, then crawl from the landing page (or ``start``)."""
        started = time.monotonic()
        landing = self.login()
        start = start or landing
        queue: deque[tuple[str, str]] = deque([(start, "the login form")])
        seen = {start}
        patterns: Counter[str] = Counter()
        while queue and len(self.result.pages) < self.max_pages:
            url, found_on = queue.popleft()
            if JSON_PATHS.match(urlsplit(url).path):
                self.check_json(url, found_on)
                continue
            links = self.check_page(url, found_on)
            for link in links:
                link = urldefrag(link).url
                parts = urlsplit(link)
                if link in seen or f"{parts.scheme}://{parts.netloc}" != self.base:
                    continue
                seen.add(link)
                if SKIP_PATHS.match(parts.path):
                    self.result.skipped[parts.path] += 1
                    continue
                pattern = _pattern(link)
                patterns[pattern] += 1
                if patterns[pattern] > PER_PATTERN:
                    self.result.skipped[pattern] += 1
                    continue
                queue.append((link, _local(url)))
        if queue:
            self.problem(
                start, "crawl bound", f"{len(queue)} links left after {self.max_pages} pages"
            )
        self.result.seconds = time.monotonic() - started
        return self.result

    def check_json(self, url: str, found_on: str) -> None:
        self.result.json_links.append(_local(url))
        response = self.page.request.get(url)
        if response.status != 200:
            self.problem(url, "status", f"{response.status} for a JSON link", found_on)
            return
        kind = response.headers.get("content-type", "")
        if "json" not in kind:
            self.problem(url, "content type", f"{kind!r} for a JSON link", found_on)
            return
        try:
            json.loads(response.text())
        except ValueError as exc:
            self.problem(url, "json", str(exc), found_on)

    def check_page(self, url: str, found_on: str) -> list[str]:
        page = self.page
        self.events = []
        response = page.goto(url, wait_until="load")
        final = page.url
        self.result.pages.append(_local(url))
        if response is None:
            self.problem(url, "status", "no response", found_on)
            return []
        if response.status != 200:
            self.problem(url, "status", f"{response.status} ({page.title()!r})", found_on)
        if urlsplit(final).path == "/login":
            self.problem(url, "redirect", f"sent to the login page ({_local(final)})", found_on)
            return []
        if not response.headers.get("content-type", "").startswith("text/html"):
            self.problem(url, "content type", response.headers.get("content-type", ""), found_on)
            return []
        scan: dict[str, Any] = page.evaluate(PAGE_SCAN)
        if scan["scripts"]:  # let the page's own requests finish (or fail) before leaving it
            page.wait_for_load_state("networkidle")
        self.check_content(final, scan, found_on)
        for check, detail in self.events:
            self.problem(final, check, detail, found_on)
        return [str(link) for link in scan["links"]]

    def check_content(self, url: str, scan: dict[str, Any], found_on: str) -> None:
        title = str(scan["title"]).strip()
        if not title or not title.split("·")[0].strip():
            self.problem(url, "title", f"empty title ({title!r})", found_on)
        if not scan["h1"]:
            self.problem(url, "h1", "no <h1>", found_on)
        elif not scan["h1"][0]:
            self.problem(url, "h1", "empty <h1>", found_on)
        texts = [INLINE_CODE.sub("`…`", t) for t in [title, *scan["text"], *scan["attrs"]]]
        texts = [t for t in texts if not _is_json(t)]
        for name, regex in ARTEFACTS.items():
            hits = [t for t in texts if regex.search(t)]
            if hits:
                shown = "; ".join(repr(h[:80]) for h in hits[:3])
                self.problem(url, "artefact", f"{name} in {shown}", found_on)
        for form in scan["forms"]:
            if form["method"] == "post" and not any(form["csrf"]):
                what = f"form {form['id'] or ''} action={form['action']!r}".replace("  ", " ")
                self.problem(url, "csrf", f"POST {what} has no csrf_token", found_on)


@pytest.fixture(scope="module")
def crawl(browser: Browser, demo_url: str) -> Callable[[str], Crawl]:
    done: dict[str, Crawl] = {}

    def get(role: str) -> Crawl:
        if role not in done:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.set_default_timeout(10_000)
            try:
                done[role] = Crawler(context.new_page(), demo_url, role).run()
            finally:
                context.close()
        return done[role]

    return get


@pytest.mark.parametrize("role", ROLES)
def test_every_linked_page_opens_cleanly(crawl: Callable[[str], Crawl], role: str) -> None:
    result = crawl(role)
    print(f"{role}: {len(result.pages)} pages, {len(result.json_links)} JSON links, "
          f"{result.seconds:.1f} s")  # fmt: skip
    assert len(result.pages) >= 5, f"the crawl saw too little: {result.pages}"
    problems = result.problems
    report = "\n".join(str(p) for p in problems)
    assert not problems, f"{len(problems)} problems on {len(result.pages)} pages:\n{report}"


BROKEN = """<!doctype html><html><head><title> · CodeJury</title>
<link rel="stylesheet" href="/static/no-such.css"></head><body>
<script>window.inline = 1</script><script src="/crawl-selftest.js"></script>
<p>Owner: None</p><p>{{ name }}</p><p title="undefined">NaN items</p>
<pre>None {{ x }} undefined</pre><code>[object Object]</code><ol class="code"><li>True</li></ol>
<p>Reason: fails `assert f(None) == True`</p><td class="mono">{"a": null}</td>
<form method="post" action="/me/opt-ins"><button>Send</button></form>
<form method="get" action="/projects"><button>Go</button></form>
<a href="/api/v1/no-such-thing">json</a> <a href="/projects/no-such-project">gone</a>
<a href="/logout">out</a> <a href="/static/studio.css">css</a> <a href="https://example.org/">away</a>
</body></html>"""


def test_the_crawl_sees_what_it_looks_for(browser: Browser, demo_url: str) -> None:
    """A deliberately broken page (served in place of one URL) trips every check, and code does not."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    csp = {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "script-src 'self'",
    }
    context.route(demo_url + "/crawl-selftest", lambda r: r.fulfill(headers=csp, body=BROKEN))
    context.route(
        demo_url + "/crawl-selftest.js",
        lambda r: r.fulfill(content_type="text/javascript", body="throw new Error('boom')"),
    )
    try:
        crawler = Crawler(context.new_page(), demo_url, "annotator", max_pages=2)
        result = crawler.run(start=demo_url + "/crawl-selftest")
    finally:
        context.close()
    found = {(p.url, p.check, p.detail.split(" in ")[0]) for p in result.problems}
    page = "/crawl-selftest"
    expected = {
        (page, "title", "empty title ('· CodeJury')"),
        (page, "h1", "no <h1>"),
        (page, "artefact", "None"),
        (page, "artefact", "template syntax"),
        (page, "artefact", "undefined"),
        (page, "artefact", "NaN"),
        (page, "csrf", "POST form action='/me/opt-ins' has no csrf_token"),
        ("/projects/no-such-project", "status", "404 ('Not found · CodeJury')"),
        ("/api/v1/no-such-thing", "status", "404 for a JSON link"),
    }
    assert expected <= found, "\n".join(map(str, sorted(found)))
    checks = {(p.url, p.check) for p in result.problems}
    assert {(page, "console error"), (page, "uncaught error"), (page, "failed request")} <= checks
    assert not {
        p for p in result.problems if p.detail.startswith(("Python repr", "[object", "null"))
    }
    assert result.pages == [page, "/projects/no-such-project"]
    assert result.json_links == ["/api/v1/no-such-thing"]


def test_unknown_address_gets_the_error_page(browser: Browser, demo_url: str) -> None:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        Crawler(page, demo_url, "annotator").login()
        answers = {}
        for path in ("/no-such-page", "/logout"):
            response = page.goto(demo_url + path)
            assert response is not None
            kind = response.headers.get("content-type", "")
            answers[path] = (response.status, kind.split(";")[0], page.locator("h1").count())
    finally:
        context.close()
    assert answers == {"/no-such-page": (404, "text/html", 1), "/logout": (405, "text/html", 1)}
