CREATE TABLE `room_admissions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`session_id` text NOT NULL,
	`role` text NOT NULL,
	`connection_id` text NOT NULL,
	`admitted_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `room_admissions_user_idx` ON `room_admissions` (`user_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `room_admissions_session_idx` ON `room_admissions` (`session_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `room_admissions_project_idx` ON `room_admissions` (`project_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `room_admissions_expires_idx` ON `room_admissions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `room_teardowns` (
	`project_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`requested_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` integer,
	`last_error` text
);
