CREATE TABLE `checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text,
	`email` text,
	`mode` text NOT NULL,
	`price_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`fee_amount` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkouts_session_id_unique` ON `checkouts` (`session_id`);--> statement-breakpoint
CREATE INDEX `checkouts_item_idx` ON `checkouts` (`item_id`);--> statement-breakpoint
CREATE TABLE `connect_accounts` (
	`org_id` text PRIMARY KEY NOT NULL,
	`account_id_encrypted` text NOT NULL,
	`account_lookup` text NOT NULL,
	`charges_enabled` integer DEFAULT false NOT NULL,
	`payouts_enabled` integer DEFAULT false NOT NULL,
	`details_submitted` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connect_accounts_account_lookup_unique` ON `connect_accounts` (`account_lookup`);--> statement-breakpoint
CREATE TABLE `credit_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`item_id` text NOT NULL,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`reference` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_entries_reference_unique` ON `credit_entries` (`reference`);--> statement-breakpoint
CREATE INDEX `credit_user_item_idx` ON `credit_entries` (`user_id`,`item_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`account` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`order_id` text,
	`reference` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_reference_idx` ON `ledger_entries` (`reference`,`account`,`type`);--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger_entries` (`account`,`created_at`);--> statement-breakpoint
CREATE TABLE `order_items` (
	`order_id` text NOT NULL,
	`item_id` text NOT NULL,
	`org_id` text NOT NULL,
	`price_id` text,
	`quantity` integer NOT NULL,
	`amount` integer NOT NULL,
	`entitlement_id` text,
	PRIMARY KEY(`order_id`, `item_id`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`kind` text NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`amount` integer NOT NULL,
	`fee_amount` integer NOT NULL,
	`amount_refunded` integer DEFAULT 0 NOT NULL,
	`currency` text NOT NULL,
	`payment_intent_id` text,
	`subscription_id` text,
	`checkout_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_source_id_unique` ON `orders` (`source_id`);--> statement-breakpoint
CREATE INDEX `orders_checkout_idx` ON `orders` (`checkout_id`);--> statement-breakpoint
CREATE INDEX `orders_org_idx` ON `orders` (`org_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_user_idx` ON `orders` (`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_payment_intent_idx` ON `orders` (`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `stripe_customers` (
	`email` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stripe_customers_customer_id_unique` ON `stripe_customers` (`customer_id`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`account` text,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE INDEX `stripe_events_status_idx` ON `stripe_events` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `stripe_prices` (
	`price_id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`pricing_key` text NOT NULL,
	`product_id` text NOT NULL,
	`meter_event_name` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stripe_prices_item_pricing_idx` ON `stripe_prices` (`item_id`,`pricing_key`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`stripe_subscription_id` text NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`current_period_end` integer NOT NULL,
	`cancel_at_period_end` integer NOT NULL,
	`grace_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_stripe_subscription_id_unique` ON `subscriptions` (`stripe_subscription_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_user_idx` ON `subscriptions` (`user_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_org_idx` ON `subscriptions` (`org_id`);--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`client_key` text NOT NULL,
	`quantity` integer NOT NULL,
	`credits_used` integer DEFAULT 0 NOT NULL,
	`recorded_at` integer NOT NULL,
	`reported_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_client_key_idx` ON `usage_records` (`user_id`,`client_key`);--> statement-breakpoint
CREATE INDEX `usage_unreported_idx` ON `usage_records` (`reported_at`,`recorded_at`);