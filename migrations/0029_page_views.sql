CREATE TABLE `page_views` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`day` text NOT NULL,
	`viewed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `page_views_item_day_idx` ON `page_views` (`item_id`,`day`);--> statement-breakpoint
CREATE INDEX `page_views_day_idx` ON `page_views` (`day`);