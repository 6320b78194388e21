CREATE TABLE `download_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`version_id` text NOT NULL,
	`entitlement_id` text NOT NULL,
	`user_id` text NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`max_uses` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `download_tokens_expires_idx` ON `download_tokens` (`expires_at`);--> statement-breakpoint
CREATE INDEX `download_tokens_spent_idx` ON `download_tokens` (`last_used_at`) WHERE uses >= max_uses;--> statement-breakpoint
CREATE TABLE `downloads` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`version_id` text NOT NULL,
	`user_id` text NOT NULL,
	`entitlement_id` text NOT NULL,
	`token_id` text NOT NULL,
	`range_start` integer NOT NULL,
	`bytes` integer NOT NULL,
	`counted` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `downloads_user_item_idx` ON `downloads` (`user_id`,`item_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `downloads_user_version_idx` ON `downloads` (`user_id`,`version_id`);--> statement-breakpoint
CREATE INDEX `downloads_item_idx` ON `downloads` (`item_id`,`created_at`);