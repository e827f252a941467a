-- Editors' choices for an article's related list. Twin: ../sqlite/0002_related_overrides.sql.
-- kind 'pin': shown first, in position order; kind 'exclude': never shown.
CREATE TABLE related_overrides (
    article_id BIGINT NOT NULL REFERENCES articles(id),
    related_id BIGINT NOT NULL REFERENCES articles(id),
    kind       TEXT NOT NULL CHECK (kind IN ('pin','exclude')),
    position   BIGINT NOT NULL,
    PRIMARY KEY (article_id, related_id)
);
