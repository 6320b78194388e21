ALTER TABLE `orders` ADD `tax_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `tax_percentage` real;--> statement-breakpoint
ALTER TABLE `orders` ADD `tax_country` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `tax_id` text;