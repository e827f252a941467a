"""Reads dateline's pages the way crawlers and link unfurlers do, and checks what they find.

    python validate_metadata.py BASE_URL API_KEY SCHEMA_JSONLD

Arranges a small fixture set through the admin API (hostile headlines with quotes,
`</script>`, emoji and right-to-left text; an article corrected twice; one without authors;
one with a lead image), then fetches the article, home, section, tag and author pages and:

* extracts Open Graph and JSON-LD with `extruct` (the library Scrapy-based crawlers use)
  and Twitter tags with lxml (extruct has no Twitter syntax), and asserts them field by
  field;
* validates every JSON-LD node against the schema.org vocabulary (`SCHEMA_JSONLD`, the
  release file vendored beside this script): every `@type` must be a schema.org type, every
  property a schema.org property whose domain includes the node's type or one of its
  supertypes, every nested node's type must fit the property's range, and literals must fit
  it too (booleans only where Boolean is expected, numbers where Number, Integer or Float is);
* with `--self-test`, first proves that the validator refuses a wrong property, a property
  on the wrong type, an unknown type and a boolean where text is expected.

Exits non-zero with every failure listed.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import extruct
import lxml.html

SCHEMA = "https://schema.org/"


class Vocabulary:
    """schema.org types, properties, domains and ranges from a release JSON-LD file."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            graph = json.load(f)["@graph"]
        self.types = {}  # name -> set of direct supertypes
        self.properties = {}  # name -> (domains, ranges)
        self.pending = set()

        def ids(value):
            if value is None:
                return []
            items = value if isinstance(value, list) else [value]
            return [i["@id"].removeprefix("schema:") for i in items]

        for node in graph:
            name = node["@id"].removeprefix("schema:")
            kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "pending.schema.org" in json.dumps(node.get("schema:isPartOf", "")):
                self.pending.add(name)
            if "rdfs:Class" in kinds or "schema:DataType" in kinds:
                self.types[name] = set(ids(node.get("rdfs:subClassOf")))
            if "rdf:Property" in kinds:
                self.properties[name] = (
                    set(ids(node.get("schema:domainIncludes"))),
                    set(ids(node.get("schema:rangeIncludes"))),
                )

    def ancestors(self, name):
        seen, todo = set(), [name]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            todo.extend(self.types.get(t, ()))
        return seen

    def fits(self, kind, ranges):
        return bool(self.ancestors(kind) & ranges)

    def validate(self, node, where="$", errors=None, expected=None):
        """Every problem of `node` (a JSON-LD object) as text."""
        errors = [] if errors is None else errors
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if kinds == [None]:
            errors.append(f"{where}: node without @type")
            return errors
        for kind in kinds:
            if kind not in self.types:
                errors.append(f"{where}: @type {kind!r} is not a schema.org type")
            elif expected is not None and not self.fits(kind, expected):
                errors.append(f"{where}: a {kind} is not what the property expects ({sorted(expected)})")
        supertypes = set().union(*(self.ancestors(k) for k in kinds if k in self.types))
        for prop, value in node.items():
            if prop.startswith("@"):
                if prop == "@context" and value not in ("https://schema.org", "https://schema.org/"):
                    errors.append(f"{where}: @context {value!r} is not schema.org")
                continue
            at = f"{where}.{prop}"
            if prop not in self.properties:
                errors.append(f"{at}: {prop!r} is not a schema.org property")
                continue
            domains, ranges = self.properties[prop]
            if supertypes and not (domains & supertypes):
                errors.append(f"{at}: {prop!r} is not a property of {'/'.join(map(str, kinds))} (domain: {sorted(domains)})")
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                self.check_value(item, ranges, f"{at}[{i}]" if isinstance(value, list) else at, errors)
        return errors

    def check_value(self, item, ranges, at, errors):
        numeric = {"Number", "Integer", "Float"}
        if isinstance(item, dict):
            if set(item) == {"@id"}:
                return
            self.validate(item, at, errors, expected=ranges)
        elif isinstance(item, bool):
            if "Boolean" not in ranges:
                errors.append(f"{at}: a boolean where {sorted(ranges)} is expected")
        elif isinstance(item, (int, float)):
            if not (ranges & numeric):
                errors.append(f"{at}: a number where {sorted(ranges)} is expected")
        elif isinstance(item, str):
            # schema.org lets text stand for any thing; only a range that is purely a
            # number or a truth value refuses it.
            if ranges and ranges <= numeric | {"Boolean"}:
                errors.append(f"{at}: text where {sorted(ranges)} is expected")
        else:
            errors.append(f"{at}: unexpected value {item!r}")


class Site:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def api(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def page(self, path):
        with urllib.request.urlopen(self.base + path, timeout=30) as r:
            assert r.status == 200, f"{path}: {r.status}"
            return r.read().decode("utf-8")


HOSTILE = "\"Quoted\" & </script><script>alert('x')</script> 📰 <!-- عاجل: الميناء -->"
RTL = "الميناء يفتح أبوابه من جديد"
SITE_NAME = "The Gazette & \"Post\""


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failures.append(f"{what}: got {got!r}, want {want!r}")

    def true(self, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{what} {detail}".strip())


def extract(html, url):
    """JSON-LD nodes, Open Graph properties and Twitter tags of a page. Open Graph is read
    as extruct's raw (property, content) pairs — its uniform form moves og:type to @type —
    and a property given twice, other than a repeatable one, is an error."""
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"])
    tree = lxml.html.fromstring(html)
    twitter = {}
    for m in tree.xpath("//meta[starts-with(@name, 'twitter:')]"):
        assert m.get("name") not in twitter, f"{url}: {m.get('name')} twice"
        twitter[m.get("name")] = m.get("content")
    og = {}
    for node in data["opengraph"]:
        for key, value in node["properties"]:
            if key == "article:tag":
                og.setdefault(key, []).append(value)
                continue
            assert key not in og, f"{url}: {key} twice"
            og[key] = value
    return data["json-ld"], og, twitter, tree


def arrange(site, c):
    def create(body):
        status, a = site.api("POST", "/api/v1/admin/articles", body)
        assert status == 201, (status, a)
        return a

    corrected = create({
        "title": HOSTILE,
        "standfirst": RTL,
        "body": "The harbour reopened.\n\nShips queued at dawn.",
        "dateline": "Sohar, Oman",
        "section": "Business & Trade",
        "tags": ["Shipping"],
        "authors": ["Amira Haddad", "Sam O'Neil"],
        "source": "Reuters",
        "correction": "The harbour's name was misspelt.",
    })
    status, corrected = site.api("PATCH", f"/api/v1/admin/articles/{corrected['id']}", {
        "version": corrected["version"],
        "body": "The harbour reopened on Monday.\n\nShips queued at dawn.",
        "correction": "The day of the reopening was added.",
    })
    c.eq("second correction saved", status, 200)
    anonymous = create({"title": RTL, "body": "خبر عاجل.", "section": "Business & Trade"})
    pictured = create({
        "title": "Cranes 🏗️ at work",
        "body": "Picture story.",
        "section": "Business & Trade",
        "tags": ["Shipping"],
        "authors": ["Amira Haddad"],
        "lead_image_url": "https://images.example/cranes.jpg",
        "lead_image_alt": "Three cranes over a container ship",
        "lead_image_caption": "Cranes at Sohar",
    })
    return corrected, anonymous, pictured


def check_article_pages(site, vocab, c, corrected, anonymous, pictured):
    base = site.base
    for a in (corrected, anonymous, pictured):
        url = f"{base}/articles/{a['slug']}"
        html = site.page(f"/articles/{a['slug']}")
        ld, og, tw, _ = extract(html, url)
        news = [n for n in ld if n.get("@type") == "NewsArticle"]
        c.eq(f"{a['slug']}: one NewsArticle", len(news), 1)
        if not news:
            continue
        n = news[0]
        for error in vocab.validate(n):
            c.failures.append(f"{url} JSON-LD: {error}")
        c.eq(f"{url} headline", n.get("headline"), a["title"])
        c.eq(f"{url} url", n.get("url"), url)
        c.eq(f"{url} mainEntityOfPage", n.get("mainEntityOfPage", {}).get("@id"), url)
        c.eq(f"{url} inLanguage", n.get("inLanguage"), "en")
        c.eq(f"{url} isAccessibleForFree", n.get("isAccessibleForFree"), True)
        c.true(f"{url} author is never empty", bool(n.get("author")), repr(n.get("author")))
        pub = n.get("publisher", {})
        c.eq(f"{url} publisher type", pub.get("@type"), "NewsMediaOrganization")
        c.eq(f"{url} publisher name", pub.get("name"), SITE_NAME)
        c.eq(f"{url} publisher logo", pub.get("logo"), {"@type": "ImageObject", "url": f"{base}/static/logo.png"})
        for key in ("datePublished", "dateModified"):
            c.true(f"{url} {key} is RFC 3339 UTC", str(n.get(key, "")).endswith("Z"), repr(n.get(key)))
        c.eq(f"{url} og:type", og.get("og:type"), "article")
        c.eq(f"{url} og:title", og.get("og:title"), a["title"])
        c.eq(f"{url} og:url", og.get("og:url"), url)
        c.eq(f"{url} og:site_name", og.get("og:site_name"), SITE_NAME)
        c.eq(f"{url} og:locale", og.get("og:locale"), "en_US")
        c.eq(f"{url} twitter:card", tw.get("twitter:card"), "summary_large_image")
        c.eq(f"{url} twitter:site", tw.get("twitter:site"), "@gazette")
        c.eq(f"{url} twitter:title", tw.get("twitter:title"), a["title"])
        c.true(f"{url} og:description", bool(og.get("og:description")))
        c.eq(f"{url} og = twitter description", tw.get("twitter:description"), og.get("og:description"))
        raw = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        c.true(f"{url} JSON-LD block holds no < or >", "<" not in raw and ">" not in raw)

    url = f"{base}/articles/{corrected['slug']}"
    ld, og, tw, tree = extract(site.page(f"/articles/{corrected['slug']}"), url)
    n = next(x for x in ld if x.get("@type") == "NewsArticle")
    c.eq("standfirst (RTL) as description", n.get("description"), RTL)
    c.eq("dateline", n.get("dateline"), "SOHAR, OMAN")
    c.eq("articleSection", n.get("articleSection"), "Business & Trade")
    c.eq("keywords", n.get("keywords"), ["Shipping"])
    c.eq("sourceOrganization", n.get("sourceOrganization"), {"@type": "Organization", "name": "Reuters"})
    c.eq("authors", [(p.get("@type"), p.get("name")) for p in n.get("author", [])],
         [("Person", "Amira Haddad"), ("Person", "Sam O'Neil")])
    c.eq("author url", n["author"][0].get("url"), f"{base}/author/amira-haddad")
    corrections = n.get("correction", [])
    c.eq("two corrections", [(x.get("@type"), x.get("text")) for x in corrections], [
        ("CorrectionComment", "The harbour's name was misspelt."),
        ("CorrectionComment", "The day of the reopening was added."),
    ])
    c.true("corrections dated, in order", len(corrections) == 2
           and all(str(x.get("datePublished", "")).endswith("Z") for x in corrections)
           and corrections[0]["datePublished"] <= corrections[1]["datePublished"])
    c.eq("og:image falls back to the site image", og.get("og:image"), f"{base}/static/site-image.png")
    c.eq("twitter:image falls back too", tw.get("twitter:image"), f"{base}/static/site-image.png")
    oembed = tree.xpath("//link[@rel='alternate'][@type='application/json+oembed']")
    c.eq("one oEmbed discovery link", len(oembed), 1)
    if oembed:
        c.eq("oEmbed link title", oembed[0].get("title"), HOSTILE)
        href = oembed[0].get("href")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(href).query)
        c.eq("oEmbed link names the article", query.get("url"), [url])
        with urllib.request.urlopen(href, timeout=30) as r:
            embed = json.loads(r.read())
        c.eq("oEmbed type", (embed.get("version"), embed.get("type")), ("1.0", "rich"))
        c.eq("oEmbed title", embed.get("title"), HOSTILE)
        c.true("oEmbed html escapes the headline", "<script" not in embed.get("html", ""))

    url = f"{base}/articles/{anonymous['slug']}"
    ld, _, _, _ = extract(site.page(f"/articles/{anonymous['slug']}"), url)
    n = next(x for x in ld if x.get("@type") == "NewsArticle")
    c.eq("no byline: the publication is the author", n.get("author"),
         [{"@type": "Organization", "name": SITE_NAME, "url": f"{base}/"}])
    c.true("no correction, no dateline", "correction" not in n and "dateline" not in n)

    url = f"{base}/articles/{pictured['slug']}"
    ld, og, tw, _ = extract(site.page(f"/articles/{pictured['slug']}"), url)
    n = next(x for x in ld if x.get("@type") == "NewsArticle")
    c.eq("lead image in JSON-LD", n.get("image"),
         {"@type": "ImageObject", "url": "https://images.example/cranes.jpg", "caption": "Cranes at Sohar"})
    c.eq("lead image as og:image", og.get("og:image"), "https://images.example/cranes.jpg")
    c.eq("og:image:alt", og.get("og:image:alt"), "Three cranes over a container ship")
    c.eq("lead image as twitter:image", tw.get("twitter:image"), "https://images.example/cranes.jpg")


def check_list_pages(site, vocab, c):
    base = site.base
    for path, title, crumb in [
        ("/", SITE_NAME, None),
        ("/section/business-trade", "Business & Trade", "Business & Trade"),
        ("/tag/shipping", "Shipping", "Shipping"),
        ("/author/amira-haddad", "Articles by Amira Haddad", "Amira Haddad"),
    ]:
        url = base + path
        ld, og, tw, _ = extract(site.page(path), url)
        c.eq(f"{path} og:type", og.get("og:type"), "website")
        c.eq(f"{path} og:title", og.get("og:title"), title)
        c.eq(f"{path} og:url", og.get("og:url"), url)
        c.eq(f"{path} og:site_name", og.get("og:site_name"), SITE_NAME)
        c.eq(f"{path} og:image", og.get("og:image"), f"{base}/static/site-image.png")
        c.eq(f"{path} og:image:width", og.get("og:image:width"), "1200")
        c.eq(f"{path} og:locale", og.get("og:locale"), "en_US")
        c.true(f"{path} og:description", bool(og.get("og:description")))
        c.eq(f"{path} twitter:card", tw.get("twitter:card"), "summary_large_image")
        c.eq(f"{path} twitter:site", tw.get("twitter:site"), "@gazette")
        c.eq(f"{path} twitter:title", tw.get("twitter:title"), title)
        for node in ld:
            for error in vocab.validate(node):
                c.failures.append(f"{url} JSON-LD: {error}")
        crumbs = [n for n in ld if n.get("@type") == "BreadcrumbList"]
        if crumb is None:
            c.eq(f"{path}: no breadcrumb", crumbs, [])
        else:
            c.eq(f"{path} breadcrumb", crumbs[0].get("itemListElement") if crumbs else None, [
                {"@type": "ListItem", "position": 1, "name": SITE_NAME, "item": f"{base}/"},
                {"@type": "ListItem", "position": 2, "name": crumb, "item": url},
            ])


def self_test(vocab):
    """The validator must refuse what schema.org does not allow."""
    good = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "h", "dateline": "X",
            "isAccessibleForFree": True, "wordCount": 3,
            "publisher": {"@type": "NewsMediaOrganization", "name": "n",
                          "logo": {"@type": "ImageObject", "url": "https://x/l.png"}},
            "correction": [{"@type": "CorrectionComment", "text": "t", "datePublished": "2026-01-01T00:00:00Z"}]}
    assert vocab.validate(good) == [], vocab.validate(good)
    wrong = [
        ({**good, "headlinez": "h"}, "'headlinez' is not a schema.org property"),
        ({**good, "@type": "BlogPostingg"}, "is not a schema.org type"),
        ({**good, "publisher": {**good["publisher"], "dateline": "X"}}, "'dateline' is not a property of NewsMediaOrganization"),
        ({**good, "dateline": True}, "a boolean where"),
        ({**good, "wordCount": "many"}, "text where"),
        ({**good, "author": {"@type": "Place", "name": "p"}}, "is not what the property expects"),
    ]
    for node, message in wrong:
        errors = vocab.validate(node)
        assert any(message in e for e in errors), (message, errors)
    print(f"validator self-test: {len(wrong)} wrong documents refused, the right one accepted")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    base, key, schema_path = args
    vocab = Vocabulary(schema_path)
    if "--self-test" in sys.argv:
        self_test(vocab)
    site = Site(base, key)
    c = Checks()
    corrected, anonymous, pictured = arrange(site, c)
    check_article_pages(site, vocab, c, corrected, anonymous, pictured)
    check_list_pages(site, vocab, c)
    for f in c.failures:
        print("FAIL", f)
    print(f"metadata: {c.passed} checks passed, {len(c.failures)} failed")
    sys.exit(1 if c.failures else 0)


if __name__ == "__main__":
    main()
