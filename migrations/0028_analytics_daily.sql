CREATE TABLE `analytics_daily` (
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`day` text NOT NULL,
	`currency` text DEFAULT '' NOT NULL,
	`gross_sales` integer DEFAULT 0 NOT NULL,
	`net_sales` integer DEFAULT 0 NOT NULL,
	`fees` integer DEFAULT 0 NOT NULL,
	`refunds` integer DEFAULT 0 NOT NULL,
	`disputes` integer DEFAULT 0 NOT NULL,
	`new_subscriptions` integer DEFAULT 0 NOT NULL,
	`churned_subscriptions` integer DEFAULT 0 NOT NULL,
	`mrr_change` integer DEFAULT 0 NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`licenses_change` integer DEFAULT 0 NOT NULL,
	`page_views` integer DEFAULT 0 NOT NULL,
	`checkouts_started` integer DEFAULT 0 NOT NULL,
	`checkouts_completed` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `item_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `analytics_daily_org_day_idx` ON `analytics_daily` (`org_id`,`day`);--> statement-breakpoint
CREATE INDEX `analytics_daily_day_idx` ON `analytics_daily` (`day`);