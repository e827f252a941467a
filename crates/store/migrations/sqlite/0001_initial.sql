-- dateline schema, SQLite flavour. Twin: ../postgres/0001_initial.sql (keep them paired).
-- Times are Unix seconds (INTEGER) on both backends so one portable SQL text serves both.

CREATE TABLE sections (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE articles (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    external_id        TEXT UNIQUE,
    title              TEXT NOT NULL,
    standfirst         TEXT,
    body_markdown      TEXT NOT NULL,
    body_html          TEXT NOT NULL,
    summary            TEXT,
    teaser             TEXT NOT NULL,
    dateline           TEXT,
    section_id         INTEGER REFERENCES sections(id),
    -- Tags and authors are also kept here as JSON [{slug,name}] so that rendering a page
    -- needs one row; the join tables below are the queryable truth for list pages.
    tags_json          TEXT NOT NULL,
    authors_json       TEXT NOT NULL,
    lead_image_url     TEXT,
    lead_image_caption TEXT,
    lead_image_credit  TEXT,
    source             TEXT,
    correction_note    TEXT,
    corrected_at       INTEGER,
    status             TEXT NOT NULL CHECK (status IN ('draft','scheduled','published','unpublished','deleted')),
    created_at         INTEGER NOT NULL,
    published_at       INTEGER,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    -- NULL: the article is its own story cluster (read as COALESCE(story_id, id)).
    story_id           INTEGER,
    word_count         INTEGER NOT NULL
);

-- The public read path: status + time filter, newest first, id as tie-breaker (cursor).
CREATE INDEX articles_public_order ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_section_order ON articles (section_id, status, published_at DESC, id DESC);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    tag_id     INTEGER NOT NULL REFERENCES tags(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    author_id  INTEGER NOT NULL REFERENCES authors(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id);

-- A full snapshot (JSON) per saved change, so any version can be shown, diffed or restored.
CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    version    INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    snapshot   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, version)
);

-- Old slugs of published articles answer 301 to the current one.
CREATE TABLE slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id)
);

-- The change sequence: every write appends one row. App nodes and the index worker catch
-- up from the last seq they saw; surrogate_keys names the cached pages the change touches.
CREATE TABLE changes (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id     INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    surrogate_keys TEXT NOT NULL,
    at             INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('contributor','author','editor','admin')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER
);

-- API keys are stored as SHA-256 of the secret: keys are long random strings, so a slow
-- password hash adds nothing but latency to every API call.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('contributor','author','editor','admin')),
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
