-- Each side of a framework share request deletes it for itself: the row goes once both
-- have (see store.ShareWriter.DeleteShareRequest).
ALTER TABLE share_requests ADD COLUMN deleted_by_source INTEGER NOT NULL DEFAULT 0;
ALTER TABLE share_requests ADD COLUMN deleted_by_destination INTEGER NOT NULL DEFAULT 0;
