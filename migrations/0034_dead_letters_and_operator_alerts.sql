CREATE TABLE `dead_letters` (
	`queue` text NOT NULL,
	`message_id` text NOT NULL,
	`about` text NOT NULL,
	`attempts` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`alerted_at` integer,
	PRIMARY KEY(`queue`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `dead_letters_recorded_idx` ON `dead_letters` (`recorded_at`);--> statement-breakpoint
CREATE INDEX `dead_letters_unalerted_idx` ON `dead_letters` (`recorded_at`) WHERE alerted_at IS NULL;--> statement-breakpoint
CREATE TABLE `operator_alerts` (
	`key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `operator_alerts_created_idx` ON `operator_alerts` (`created_at`);