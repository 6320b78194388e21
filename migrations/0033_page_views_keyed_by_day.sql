PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_page_views` (
	`day` text NOT NULL,
	`id` text NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	PRIMARY KEY(`day`, `id`)
);
--> statement-breakpoint
INSERT INTO `__new_page_views`("day", "id", "org_id", "item_id") SELECT "day", "id", "org_id", "item_id" FROM `page_views`;--> statement-breakpoint
DROP TABLE `page_views`;--> statement-breakpoint
ALTER TABLE `__new_page_views` RENAME TO `page_views`;--> statement-breakpoint
PRAGMA foreign_keys=ON;