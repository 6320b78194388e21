CREATE TABLE `tus_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_by` text NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`metadata` text NOT NULL,
	`sha256` text,
	`length` integer NOT NULL,
	`offset` integer NOT NULL,
	`r2_key` text NOT NULL,
	`multipart_id` text NOT NULL,
	`parts` text NOT NULL,
	`pending_key` text,
	`pending_size` integer NOT NULL,
	`lock_token` text,
	`locked_until` integer,
	`state` text NOT NULL,
	`failure` text,
	`result` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tus_uploads_expires_idx` ON `tus_uploads` (`expires_at`);--> statement-breakpoint
CREATE INDEX `tus_uploads_org_idx` ON `tus_uploads` (`org_id`,`state`);