-- The lead image's alternative text (what the picture shows, for readers who cannot see
-- it): WordPress and Ghost exports carry it, and the article page's <img alt> needs it.
-- Null for articles saved before it existed: the page then falls back to the caption.
-- SQLite flavour; twin: ../postgres/0008_lead_image_alt.sql.
ALTER TABLE articles ADD COLUMN lead_image_alt TEXT;
