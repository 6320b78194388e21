CREATE TABLE `item_report_reporters` (
	`report_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reason` text NOT NULL,
	`details` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`report_id`, `user_id`),
	FOREIGN KEY (`report_id`) REFERENCES `item_reports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `item_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`details` text NOT NULL,
	`reporter_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `item_reports_open_idx` ON `item_reports` (`item_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `item_reports_queue_idx` ON `item_reports` (`status`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `review_reports` ADD `resolved_at` integer;--> statement-breakpoint
ALTER TABLE `review_reports` ADD `resolved_by` text;