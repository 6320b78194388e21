-- Search v2: filters move into the FTS index so FTS5 can filter and rank in one pass, and D1
-- reads only the rows a search returns (the external-content index of 0002 made every search
-- read and sort every match).
--
-- `facets` holds one token per filterable property (zstpublished, zcateditor, zpricefree,
-- ztagmarkdown); its bm25 weight is 0, so it filters without affecting relevance. The table is
-- contentless (nothing stored twice) with contentless_delete, so triggers delete by rowid.
DROP TRIGGER IF EXISTS `items_fts_after_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `items_fts_after_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `items_fts_after_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `items_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `items_fts` USING fts5(
	name, summary, description, tags, facets,
	content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Relevance weights: name 10, summary 1, description 0.5, tags 4, facets 0.
INSERT INTO items_fts(items_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 0.5, 4.0, 0.0)');
--> statement-breakpoint
INSERT INTO items_fts(rowid, name, summary, description, tags, facets)
SELECT seq, name, summary, description, tags,
	'zst' || status || ' zcat' || replace(category, '-', '') || ' zprice' || CASE WHEN is_free THEN 'free' ELSE 'paid' END
	|| CASE WHEN tags = '' THEN '' ELSE ' ztag' || replace(replace(tags, '-', ''), ' ', ' ztag') END
FROM items;
--> statement-breakpoint
CREATE TRIGGER `items_fts_after_insert` AFTER INSERT ON `items` BEGIN
	INSERT INTO items_fts(rowid, name, summary, description, tags, facets) VALUES (new.seq, new.name, new.summary, new.description, new.tags,
		'zst' || new.status || ' zcat' || replace(new.category, '-', '') || ' zprice' || CASE WHEN new.is_free THEN 'free' ELSE 'paid' END
		|| CASE WHEN new.tags = '' THEN '' ELSE ' ztag' || replace(replace(new.tags, '-', ''), ' ', ' ztag') END);
END;
--> statement-breakpoint
CREATE TRIGGER `items_fts_after_delete` AFTER DELETE ON `items` BEGIN
	DELETE FROM items_fts WHERE rowid = old.seq;
END;
--> statement-breakpoint
-- Counters (downloads, ratings) change often and are not indexed text: they must not re-index.
CREATE TRIGGER `items_fts_after_update` AFTER UPDATE OF name, summary, description, tags, status, category, is_free ON `items` BEGIN
	DELETE FROM items_fts WHERE rowid = old.seq;
	INSERT INTO items_fts(rowid, name, summary, description, tags, facets) VALUES (new.seq, new.name, new.summary, new.description, new.tags,
		'zst' || new.status || ' zcat' || replace(new.category, '-', '') || ' zprice' || CASE WHEN new.is_free THEN 'free' ELSE 'paid' END
		|| CASE WHEN new.tags = '' THEN '' ELSE ' ztag' || replace(replace(new.tags, '-', ''), ' ', ' ztag') END);
END;
--> statement-breakpoint
-- Browsing by rating walks this index instead of scoring every item. The expression must stay
-- identical to BAYESIAN_RATING in worker/src/catalog/search.ts, or SQLite will not use it.
CREATE INDEX `items_status_rating_idx` ON `items` (`status`, ((5 * 3.5 + rating_sum) * 1.0 / (5 + review_count)));
