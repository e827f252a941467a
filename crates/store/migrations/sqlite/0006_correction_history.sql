-- Corrections are a history: when an article is corrected again, the earlier notes stay
-- on the page and in its structured data. SQLite flavour; twin: ../postgres/0006_correction_history.sql.
-- A JSON array of {"note", "at"} (RFC 3339), oldest first; the latest note stays in
-- correction_note / corrected_at.
ALTER TABLE articles ADD COLUMN earlier_corrections TEXT NOT NULL DEFAULT '[]';
