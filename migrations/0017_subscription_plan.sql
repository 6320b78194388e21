ALTER TABLE `subscriptions` ADD `price_id` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `interval` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `amount` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `currency` text;