-- Full-text search over items (FTS5, external content on items.seq), kept in sync by triggers so
-- no write path can forget it. Only the searchable columns trigger a re-index: counters
-- (downloads, ratings) change often and must not churn the index.
CREATE VIRTUAL TABLE `items_fts` USING fts5(
	name, summary, description, tags,
	content='items', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `items_fts_after_insert` AFTER INSERT ON `items` BEGIN
	INSERT INTO items_fts(rowid, name, summary, description, tags) VALUES (new.seq, new.name, new.summary, new.description, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `items_fts_after_delete` AFTER DELETE ON `items` BEGIN
	INSERT INTO items_fts(items_fts, rowid, name, summary, description, tags) VALUES ('delete', old.seq, old.name, old.summary, old.description, old.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `items_fts_after_update` AFTER UPDATE OF name, summary, description, tags ON `items` BEGIN
	INSERT INTO items_fts(items_fts, rowid, name, summary, description, tags) VALUES ('delete', old.seq, old.name, old.summary, old.description, old.tags);
	INSERT INTO items_fts(rowid, name, summary, description, tags) VALUES (new.seq, new.name, new.summary, new.description, new.tags);
END;
