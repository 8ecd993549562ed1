-- The catalog's record of the file each control was last written from, so that an
-- unchanged file need not be parsed again.
ALTER TABLE controls ADD COLUMN source_digest TEXT NOT NULL DEFAULT '';
