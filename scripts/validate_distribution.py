"""Checks every feed and sitemap a running dateline serves with real validators.

Run by scripts/validate_distribution.sh (which starts the server with the fixture
crates/testkit/testdata/distribution/articles.jsonl); usage:

    validate_distribution.py BASE_URL SCHEMA_DIR

- Sitemaps: the index named in robots.txt, every sitemap it lists and the news sitemap,
  each with `xmllint --schema` against the sitemaps.org XSDs (siteindex.xsd, sitemap.xsd)
  and Google's news XSD (sitemap-news.xsd, through sitemap-with-news.xsd).
- Feeds: the site's feeds and every section, tag and author feed, found the way a reader
  finds them (the `<link rel="alternate">` tags of each page the sitemaps list). Every feed
  in RSS or Atom is parsed by feedparser and must not be bozo. Atom is validated with `xmllint --relaxng`
  against RFC 4287's RELAX NG schema, plus the two Schematron rules of its appendix B.
  RSS 2.0 has no maintained validator installable from a package registry (the W3C
  validator is not packaged), so its rules are checked here explicitly: the required
  channel and item elements, RFC 822 dates, enclosure attributes, a unique guid, and the
  atom:link rel="self". JSON Feed is validated against the JSON Feed 1.1 JSON schema with
  jsonschema (formats checked).
- Nothing that is not public may show: the fixture's draft carries sentinels that must
  appear in no document.

feedparser 6.0 (the current release) does not read JSON Feed, so JSON Feed is held to its
schema and the id checks only.

Before trusting a validator, each is shown a broken copy of a real document and must reject
it, so a validator that accepts everything cannot pass this script. Exits non-zero, naming
every failure.
"""

import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import jsonschema

BASE, SCHEMAS = sys.argv[1].rstrip("/"), Path(sys.argv[2])
SENTINELS = ["DRAFT-SENTINEL", "embargo-sentinel", "Embargoed", "Draft Writer"]
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "atom": "http://www.w3.org/2005/Atom",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
failures = []
counts = {}


def fail(what, why):
    failures.append(f"{what}: {why}")
    print(f"FAIL {what}: {why}", flush=True)


def count(kind):
    counts[kind] = counts.get(kind, 0) + 1


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def xmllint(flag, schema, body):
    """None when `body` is valid against `schema`, else xmllint's complaint."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(body)
        f.flush()
        r = subprocess.run(
            ["xmllint", "--noout", flag, str(SCHEMAS / schema), f.name],
            capture_output=True,
            text=True,
        )
    return None if r.returncode == 0 else (r.stderr or r.stdout).strip()


def check_no_sentinels(url, body):
    text = body.decode("utf-8", "replace")
    for s in SENTINELS:
        if s in text:
            fail(url, f"shows {s!r}, which only a draft has")


# --- Atom --------------------------------------------------------------------------


def atom_problems(body):
    problems = []
    err = xmllint("--relaxng", "atom.rng", body)
    if err:
        problems.append(f"RELAX NG (RFC 4287): {err}")
    # RFC 4287 appendix B's Schematron rules, which RELAX NG validators skip.
    root = ET.fromstring(body)
    feed_author = root.find("atom:author", NS) is not None
    for entry in root.findall("atom:entry", NS):
        links = entry.findall("atom:link", NS)
        if not (
            any(l.get("rel", "alternate") == "alternate" for l in links)
            or entry.find("atom:content", NS) is not None
        ):
            problems.append("an entry has neither an alternate link nor content")
        if not (feed_author or entry.find("atom:author", NS) is not None):
            problems.append("an entry has no author and neither has the feed")
    ids = [e.findtext("atom:id", namespaces=NS) for e in root.findall("atom:entry", NS)]
    if len(ids) != len(set(ids)):
        problems.append("two entries share an id")
    if not any(
        l.get("rel") == "self" for l in root.findall("atom:link", NS)
    ):
        problems.append("no link rel=self")
    return problems


# --- RSS 2.0 -----------------------------------------------------------------------


def rfc822(value):
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError):
        return False


def rss_problems(body):
    """RSS 2.0 (rssboard.org/rss-specification) rules, checked one by one."""
    problems = []
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        return [f"not well-formed: {e}"]
    if root.tag != "rss" or root.get("version") != "2.0":
        problems.append("root is not <rss version=\"2.0\">")
    channels = root.findall("channel")
    if len(channels) != 1:
        return problems + [f"{len(channels)} channels, RSS has exactly one"]
    ch = channels[0]
    for required in ("title", "link", "description"):
        if ch.find(required) is None:
            problems.append(f"channel lacks required <{required}>")
    if not re.match(r"^https?://", ch.findtext("link") or ""):
        problems.append("channel link is not an http(s) URL")
    for optional_date in ("pubDate", "lastBuildDate"):
        v = ch.findtext(optional_date)
        if v is not None and not rfc822(v):
            problems.append(f"channel {optional_date} {v!r} is not an RFC 822 date")
    lang = ch.findtext("language")
    if lang is not None and not re.match(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$", lang):
        problems.append(f"channel language {lang!r} is not a language code")
    selfs = [
        l
        for l in ch.findall("{http://www.w3.org/2005/Atom}link")
        if l.get("rel") == "self"
    ]
    if len(selfs) != 1 or selfs[0].get("type") != "application/rss+xml":
        problems.append("channel lacks one atom:link rel=self type=application/rss+xml")
    guids = []
    for i, item in enumerate(ch.findall("item"), 1):
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"item {i} has neither title nor description")
        link = item.findtext("link")
        if link is not None and not re.match(r"^https?://", link):
            problems.append(f"item {i} link {link!r} is not an http(s) URL")
        pub = item.findtext("pubDate")
        if pub is not None and not rfc822(pub):
            problems.append(f"item {i} pubDate {pub!r} is not an RFC 822 date")
        guid = item.find("guid")
        if guid is not None:
            guids.append(guid.text)
            if guid.get("isPermaLink", "true") not in ("true", "false"):
                problems.append(f"item {i} guid isPermaLink is not true/false")
        author = item.findtext("author")
        if author is not None and "@" not in author:
            problems.append(f"item {i} <author> is not an e-mail address")
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            problems.append(f"item {i} has more than one enclosure")
        for e in enclosures:
            if not (e.get("url") and e.get("type") and (e.get("length") or "").isdigit()):
                problems.append(f"item {i} enclosure lacks url, type or numeric length")
    if len(guids) != len(set(guids)):
        problems.append("two items share a guid")
    return problems


# --- JSON Feed ---------------------------------------------------------------------

JSONFEED_SCHEMA = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
JSONFEED_VALIDATOR = jsonschema.Draft7Validator(
    JSONFEED_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
)


def json_problems(body):
    try:
        doc = json.loads(body)
    except ValueError as e:
        return [f"not JSON: {e}"]
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in JSONFEED_VALIDATOR.iter_errors(doc)
    ]
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not 1.1")
    ids = [i.get("id") for i in doc.get("items", [])]
    if len(ids) != len(set(ids)):
        problems.append("two items share an id")
    return problems


# --- feeds found by autodiscovery ---------------------------------------------------


class Alternates(HTMLParser):
    def __init__(self):
        super().__init__()
        self.feeds = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") in (
            "application/atom+xml",
            "application/rss+xml",
            "application/feed+json",
        ):
            self.feeds.append((a["type"], a.get("href", "")))


def check_feed(url, media_type):
    status, content_type, body = fetch(url)
    check_no_sentinels(url, body)
    if not content_type.startswith(media_type):
        fail(url, f"served as {content_type!r}, advertised as {media_type!r}")
    if media_type != "application/feed+json":
        # feedparser 6.0 reads RSS and Atom only (JSON Feed support is unreleased); JSON Feed
        # is held to its JSON schema below.
        parsed = feedparser.parse(body, response_headers={"content-type": content_type})
        if parsed.bozo:
            fail(url, f"feedparser: bozo ({parsed.bozo_exception!r})")
        if not parsed.entries:
            fail(url, "feedparser found no entries")
        elif any(not e.get("id") or not e.get("published_parsed") for e in parsed.entries):
            fail(url, "feedparser read an entry without an id or a publication date")
    problems = {
        "application/atom+xml": atom_problems,
        "application/rss+xml": rss_problems,
        "application/feed+json": json_problems,
    }[media_type](body)
    for p in problems:
        fail(url, p)
    count(media_type)
    return body


# --- sitemaps ----------------------------------------------------------------------


def check_sitemap(url, schema):
    status, content_type, body = fetch(url)
    check_no_sentinels(url, body)
    if "xml" not in content_type:
        fail(url, f"served as {content_type!r}")
    err = xmllint("--schema", schema, body)
    if err:
        fail(url, f"XSD {schema}: {err}")
    if len(body) > 50 * 1024 * 1024:
        fail(url, "larger than 50 MB")
    count(schema)
    return ET.fromstring(body)


def self_test(samples):
    """Each validator must reject a broken copy of a document it accepted."""
    atom, rss, jsonfeed, urlset, news = samples
    broken = [
        ("Atom without an entry id", atom_problems, re.sub(rb"<entry><id>[^<]*</id>", b"<entry>", atom, count=1)),
        ("Atom with a bad date", atom_problems, re.sub(rb"<updated>[^<]*</updated>", b"<updated>yesterday</updated>", atom, count=1)),
        ("RSS without a channel description", rss_problems, re.sub(rb"<description>[^<]*</description>", b"", rss, count=1)),
        ("RSS with a bad pubDate", rss_problems, re.sub(rb"<pubDate>[^<]*</pubDate>", b"<pubDate>2026-13-45</pubDate>", rss, count=1)),
        ("JSON Feed without a version", json_problems, json.dumps({k: v for k, v in json.loads(jsonfeed).items() if k != "version"}).encode()),
        ("JSON Feed item without an id", json_problems, json.dumps({**json.loads(jsonfeed), "items": [{"url": "https://x.example/"}]}).encode()),
    ]
    for what, check, body in broken:
        if not check(body):
            fail("self-test", f"the validator accepted {what}")
    xsd_broken = [
        ("a sitemap with a bad lastmod", "sitemap.xsd", re.sub(rb"<lastmod>[^<]*</lastmod>", b"<lastmod>yesterday</lastmod>", urlset, count=1)),
        ("a news sitemap without a title", "sitemap-with-news.xsd", re.sub(rb"<news:title>[^<]*</news:title>", b"", news, count=1)),
        ("an empty sitemap", "sitemap.xsd", b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'),
    ]
    for what, schema, body in xsd_broken:
        if xmllint("--schema", schema, body) is None:
            fail("self-test", f"xmllint accepted {what}")
    if not feedparser.parse(atom.replace(b"</feed>", b"")).bozo:
        fail("self-test", "feedparser accepted an unterminated feed")
    if not json_problems(jsonfeed[:-20]):
        fail("self-test", "a truncated JSON Feed was accepted")


def main():
    status, _, robots = fetch(f"{BASE}/robots.txt")
    named = re.findall(r"(?m)^Sitemap:\s*(\S+)\s*$", robots.decode())
    if f"{BASE}/sitemap.xml" not in named:
        fail("robots.txt", f"does not name {BASE}/sitemap.xml (names {named})")

    index = check_sitemap(f"{BASE}/sitemap.xml", "siteindex.xsd")
    if index.tag != f"{{{NS['sm']}}}sitemapindex":
        fail("/sitemap.xml", "is not a sitemap index")
    pages, urlset_sample, news_sample = [], None, None
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        is_news = loc.text.endswith("/sitemap-news.xml")
        schema = "sitemap-with-news.xsd" if is_news else "sitemap.xsd"
        tree = check_sitemap(loc.text, schema)
        body = fetch(loc.text)[2]
        if is_news:
            news_sample = body
            titles = tree.findall("sm:url/news:news/news:title", NS)
            if not titles:
                fail(loc.text, "lists no article")
        else:
            urlset_sample = urlset_sample or (body if b"<lastmod>" in body else None)
            pages += [u.text for u in tree.findall("sm:url/sm:loc", NS)]
    if news_sample is None:
        fail("/sitemap.xml", "does not list the news sitemap")
        news_sample = fetch(f"{BASE}/sitemap-news.xml")[2]

    feeds = {}
    for page in pages:
        status, content_type, html = fetch(page)
        check_no_sentinels(page, html)
        if "/articles/" in page:
            continue
        finder = Alternates()
        finder.feed(html.decode())
        if len(finder.feeds) < 3:
            fail(page, f"advertises {len(finder.feeds)} feeds")
        for media_type, href in finder.feeds:
            feeds[BASE + href if href.startswith("/") else href] = media_type
    for path in ("/section/", "/tag/", "/author/"):
        if not any(path in f for f in feeds):
            fail("autodiscovery", f"no {path} feed advertised on any page")
    samples = {}
    for url, media_type in sorted(feeds.items()):
        body = check_feed(url, media_type)
        samples.setdefault(media_type, body)

    self_test(
        (
            samples["application/atom+xml"],
            samples["application/rss+xml"],
            samples["application/feed+json"],
            urlset_sample,
            news_sample,
        )
    )
    print(
        "checked: "
        + ", ".join(f"{n} × {k}" for k, n in sorted(counts.items()))
        + f"; {len(pages)} pages from the sitemaps"
    )
    if failures:
        print(f"{len(failures)} failed, see above")
        sys.exit(1)
    print("distribution: all feeds and sitemaps valid")


if __name__ == "__main__":
    try:
        main()
    except urllib.error.HTTPError as e:
        print(f"FAIL {e.url}: HTTP {e.code}")
        sys.exit(1)
