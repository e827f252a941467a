-- Sitemaps page through public articles by id ranges (keyset, never OFFSET). This index
-- answers a page — `status = 'published' AND id in [lo, hi) AND published_at <= now` — by
-- one range seek, and covers every column a sitemap line needs (slug, publish and update
-- times), so a page never touches the article rows with their bodies: milliseconds at a
-- million articles. SQLite flavour; twin: ../postgres/0010_sitemap_order.sql.
CREATE INDEX articles_sitemap_order ON articles (status, id, published_at, updated_at, slug);
