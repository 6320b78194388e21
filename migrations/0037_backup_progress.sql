CREATE TABLE `backup_progress` (
	`day` text PRIMARY KEY NOT NULL,
	`export_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`migrations` text NOT NULL,
	`phase` text NOT NULL,
	`tables` text NOT NULL,
	`table_index` integer DEFAULT 0 NOT NULL,
	`after` text,
	`page_rows` integer NOT NULL,
	`rows` integer DEFAULT 0 NOT NULL,
	`hash_state` text,
	`sums` text NOT NULL,
	`chunks` integer DEFAULT 0 NOT NULL,
	`lease_id` text,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
