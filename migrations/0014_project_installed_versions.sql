ALTER TABLE `project_items` ADD `version` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `channel` text DEFAULT 'stable' NOT NULL;