-- The last good version of each file of each pipeline source (see store.CatalogFile).
-- Contents are base64 text so that both backends store any bytes the same way.
CREATE TABLE catalog_files (
    source     TEXT NOT NULL,
    path       TEXT NOT NULL,
    data       TEXT NOT NULL,
    revision   TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (source, path)
);
