ALTER TABLE `connect_accounts` ADD `payout_failure_id` text;--> statement-breakpoint
ALTER TABLE `connect_accounts` ADD `payout_failure_code` text;--> statement-breakpoint
ALTER TABLE `connect_accounts` ADD `payout_failure_message` text;--> statement-breakpoint
ALTER TABLE `connect_accounts` ADD `payout_failure_created` integer;--> statement-breakpoint
ALTER TABLE `connect_accounts` ADD `last_paid_payout_created` integer;--> statement-breakpoint
ALTER TABLE `connect_accounts` ADD `deauthorized_at` integer;