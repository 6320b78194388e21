CREATE TABLE `coupon_redemptions` (
	`coupon_id` text NOT NULL,
	`order_id` text NOT NULL,
	`discount_amount` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`coupon_id`, `order_id`),
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`code` text NOT NULL,
	`code_key` text NOT NULL,
	`percent_off` integer,
	`amount_off` integer,
	`currency` text NOT NULL,
	`duration` text NOT NULL,
	`duration_in_months` integer,
	`max_redemptions` integer,
	`times_redeemed` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`active` integer NOT NULL,
	`stripe_coupon_id` text NOT NULL,
	`stripe_promotion_code_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_code_key_idx` ON `coupons` (`code_key`);--> statement-breakpoint
CREATE INDEX `coupons_item_idx` ON `coupons` (`item_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `checkouts` ADD `coupon_id` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `discount_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `coupon_code` text;