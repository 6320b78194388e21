ALTER TABLE `subscriptions` ADD `current_period_start` integer;--> statement-breakpoint
CREATE INDEX `usage_subscription_idx` ON `usage_records` (`subscription_id`,`recorded_at`);--> statement-breakpoint
CREATE INDEX `licenses_item_idx` ON `licenses` (`item_id`,`created_at`);