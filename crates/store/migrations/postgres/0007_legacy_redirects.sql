-- Old addresses of imported articles (the URLs they had on WordPress, Ghost, …) answer 301
-- to the article's current page. Keyed by the path (and query) as dateline_core::legacy_path
-- reduces it; pointing at the article, not its slug, so a later slug change keeps them.
-- PostgreSQL flavour; twin: ../sqlite/0007_legacy_redirects.sql.
CREATE TABLE legacy_redirects (
    path       TEXT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX legacy_redirects_article ON legacy_redirects (article_id);
