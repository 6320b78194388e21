CREATE TABLE `download_tally` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `downloads` ADD `seq` integer;--> statement-breakpoint
CREATE INDEX `downloads_seq_idx` ON `downloads` (`seq`);