-- The browser editor: article ownership, sessions, sign-in throttling, password resets and
-- presence. SQLite flavour. Twin: ../postgres/0003_editor.sql (keep them paired).
-- Secrets (session and reset tokens) are stored as hashes; times are Unix seconds.

-- The user who created the article; NULL for imports and API-key writes.
ALTER TABLE articles ADD COLUMN owner_id INTEGER REFERENCES users(id);

-- The newsroom list: every status but deleted, most recently changed first (cursor on
-- updated_at, id); "my articles" is the same order per owner.
CREATE INDEX articles_newsroom_order ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_owner_order ON articles (owner_id, updated_at DESC, id DESC);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins of the last day, counted per email and per client address to slow
-- guessing; older rows are pruned as new ones arrive.
CREATE TABLE sign_in_failures (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    email   TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Who has an article open in the editor, and when they were last seen there.
CREATE TABLE article_presence (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
