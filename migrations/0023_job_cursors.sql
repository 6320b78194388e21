CREATE TABLE `job_cursors` (
	`job` text PRIMARY KEY NOT NULL,
	`position` text,
	`updated_at` integer NOT NULL
);
