-- The change cursor and the store's identity. SQLite flavour.
-- Twin: ../postgres/0004_change_cursor.sql (keep them paired).

-- SQLite lets one writer in at a time (across processes too) and hands out `seq` inside
-- that writer's transaction, so `seq` order is commit order: the change cursor needs no
-- transaction ids here.

-- A random name for this database, written once. Derived data kept beside a node (the
-- search index, the related-articles snapshot) records it, so a data dir pointed at
-- another database rebuilds instead of serving another newsroom's index.
CREATE TABLE store_identity (
    id TEXT NOT NULL
);
INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))));
