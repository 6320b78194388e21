CREATE TABLE `license_activations` (
	`id` text PRIMARY KEY NOT NULL,
	`license_id` text NOT NULL,
	`fingerprint` text NOT NULL,
	`name` text,
	`created_at` integer NOT NULL,
	`last_validated_at` integer,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `license_activations_fingerprint_idx` ON `license_activations` (`license_id`,`fingerprint`);--> statement-breakpoint
CREATE TABLE `license_policies` (
	`item_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key_prefix` text NOT NULL,
	`max_activations` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `license_reveals` (
	`license_id` text PRIMARY KEY NOT NULL,
	`checkout_id` text NOT NULL,
	`sealed_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `license_reveals_checkout_idx` ON `license_reveals` (`checkout_id`);--> statement-breakpoint
CREATE INDEX `license_reveals_expires_idx` ON `license_reveals` (`expires_at`);--> statement-breakpoint
CREATE TABLE `licenses` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`entitlement_id` text NOT NULL,
	`order_id` text,
	`subscription_id` text,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`last_group` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer,
	`max_activations` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_key_hash_unique` ON `licenses` (`key_hash`);--> statement-breakpoint
CREATE INDEX `licenses_user_idx` ON `licenses` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `licenses_order_idx` ON `licenses` (`order_id`);--> statement-breakpoint
CREATE INDEX `licenses_subscription_idx` ON `licenses` (`subscription_id`);--> statement-breakpoint
CREATE INDEX `licenses_entitlement_idx` ON `licenses` (`entitlement_id`);--> statement-breakpoint
CREATE INDEX `licenses_status_expires_idx` ON `licenses` (`status`,`expires_at`);