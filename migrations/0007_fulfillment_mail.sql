ALTER TABLE `licenses` ADD `expiry_warned_for` integer;--> statement-breakpoint
ALTER TABLE `mail_messages` ADD `template` text;--> statement-breakpoint
ALTER TABLE `mail_messages` ADD `payload` text;--> statement-breakpoint
ALTER TABLE `mail_messages` ADD `sealed` integer DEFAULT false NOT NULL;