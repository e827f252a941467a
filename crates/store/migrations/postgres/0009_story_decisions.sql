-- Editors' decisions about stories: two articles merged into one story, or split apart,
-- whatever the same-story test says; every node's related engine applies them, also after
-- a rebuild. One row per pair, smaller id first. PostgreSQL flavour; twin: ../sqlite/0009_story_decisions.sql.
CREATE TABLE story_decisions (
    article_a  BIGINT NOT NULL REFERENCES articles(id),
    article_b  BIGINT NOT NULL REFERENCES articles(id),
    decision   TEXT NOT NULL CHECK (decision IN ('together','apart')),
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (article_a, article_b),
    CHECK (article_a < article_b)
);
