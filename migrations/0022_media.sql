CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`purpose` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text,
	`state` text NOT NULL,
	`failure` text,
	`width` integer,
	`height` integer,
	`variants` text NOT NULL,
	`placeholder` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_key_unique` ON `media` (`key`);--> statement-breakpoint
CREATE INDEX `media_state_updated_idx` ON `media` (`state`,`updated_at`);--> statement-breakpoint
CREATE INDEX `media_org_idx` ON `media` (`org_id`);--> statement-breakpoint
-- Backfill: files uploaded before media rows existed. Images start `uploaded` (the process-stalled-media
-- job queues them after deploy); any other asset has nothing to process and is `ready`. Item images'
-- sizes are not in D1 (0 until processed); ids are med_ + random hex (base62's alphabet includes it).
INSERT OR IGNORE INTO `media` (`id`, `org_id`, `key`, `purpose`, `content_type`, `size`, `sha256`, `state`, `variants`, `attempts`, `created_at`, `updated_at`)
SELECT 'med_' || lower(hex(randomblob(12))), `org_id`, `icon_key`, 'item-icon',
	CASE WHEN `icon_key` LIKE '%.png' THEN 'image/png' WHEN `icon_key` LIKE '%.webp' THEN 'image/webp' ELSE 'image/jpeg' END,
	0, NULL, 'uploaded', '[]', 0, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM `items` WHERE `icon_key` IS NOT NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `media` (`id`, `org_id`, `key`, `purpose`, `content_type`, `size`, `sha256`, `state`, `variants`, `attempts`, `created_at`, `updated_at`)
SELECT 'med_' || lower(hex(randomblob(12))), `items`.`org_id`, `shot`.`value`, 'item-screenshot',
	CASE WHEN `shot`.`value` LIKE '%.png' THEN 'image/png' WHEN `shot`.`value` LIKE '%.webp' THEN 'image/webp' ELSE 'image/jpeg' END,
	0, NULL, 'uploaded', '[]', 0, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM `items`, json_each(`items`.`screenshot_keys`) AS `shot`;
--> statement-breakpoint
INSERT OR IGNORE INTO `media` (`id`, `org_id`, `key`, `purpose`, `content_type`, `size`, `sha256`, `state`, `variants`, `attempts`, `created_at`, `updated_at`)
SELECT 'med_' || lower(hex(randomblob(12))), `projects`.`org_id`, `project_assets`.`r2_key`, 'project-asset', `project_assets`.`content_type`,
	`project_assets`.`size`, `project_assets`.`sha256`,
	CASE WHEN lower(trim(substr(`project_assets`.`content_type`, 1, instr(`project_assets`.`content_type` || ';', ';') - 1)))
		IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif') THEN 'uploaded' ELSE 'ready' END,
	'[]', 0, `project_assets`.`created_at`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM `project_assets` JOIN `projects` ON `projects`.`id` = `project_assets`.`project_id`;
