-- The change cursor and the store's identity. PostgreSQL flavour.
-- Twin: ../sqlite/0004_change_cursor.sql (keep them paired).

-- PostgreSQL hands out `seq` values before commit, so a change numbered below one already
-- read can still become visible later. Each change therefore records the transaction that
-- wrote it: a reader that has seen every change of the transactions older than the oldest
-- one still running (`pg_snapshot_xmin`) has seen every change that can ever appear below
-- that point, whatever order the transactions commit in.
ALTER TABLE changes ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX changes_by_txid ON changes (txid, seq);

-- A random name for this database, written once. Derived data kept beside a node (the
-- search index, the related-articles snapshot) records it, so a data dir pointed at
-- another database rebuilds instead of serving another newsroom's index.
CREATE TABLE store_identity (
    id TEXT NOT NULL
);
INSERT INTO store_identity (id) VALUES (md5(random()::text || clock_timestamp()::text));
