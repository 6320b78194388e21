CREATE TABLE `entitlements` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`reference` text,
	`granted_by` text,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entitlements_user_item_source_idx` ON `entitlements` (`user_id`,`item_id`,`source`);--> statement-breakpoint
CREATE INDEX `entitlements_item_idx` ON `entitlements` (`item_id`);--> statement-breakpoint
CREATE TABLE `item_tags` (
	`item_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`tag`, `item_id`),
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `item_tags_item_idx` ON `item_tags` (`item_id`);--> statement-breakpoint
CREATE TABLE `items` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`org_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`summary` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL,
	`tags` text NOT NULL,
	`pricing` text NOT NULL,
	`is_free` integer NOT NULL,
	`status` text NOT NULL,
	`moderation_reason` text,
	`icon_key` text,
	`screenshot_keys` text NOT NULL,
	`review_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`latest_version` text,
	`latest_engine_range` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`published_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_id_unique` ON `items` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `items_slug_unique` ON `items` (`slug`);--> statement-breakpoint
CREATE INDEX `items_org_idx` ON `items` (`org_id`);--> statement-breakpoint
CREATE INDEX `items_status_published_idx` ON `items` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `items_status_downloads_idx` ON `items` (`status`,`downloads`);--> statement-breakpoint
CREATE INDEX `items_category_idx` ON `items` (`category`,`status`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`rating` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`counted` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`reply_body` text,
	`reply_at` integer,
	`reply_by` text,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_item_user_idx` ON `reviews` (`item_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `reviews_item_created_idx` ON `reviews` (`item_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`version` text NOT NULL,
	`channel` text NOT NULL,
	`changelog` text NOT NULL,
	`manifest` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `uploads_expires_idx` ON `uploads` (`expires_at`);--> statement-breakpoint
CREATE TABLE `versions` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`org_id` text NOT NULL,
	`version` text NOT NULL,
	`channel` text NOT NULL,
	`changelog` text NOT NULL,
	`manifest` text NOT NULL,
	`engine_range` text NOT NULL,
	`bundle_key` text NOT NULL,
	`bundle_sha256` text NOT NULL,
	`bundle_size` integer NOT NULL,
	`published_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`yanked_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `versions_item_version_idx` ON `versions` (`item_id`,`version`);