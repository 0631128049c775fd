CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`public_key` text NOT NULL,
	`identity_secret` text NOT NULL,
	`allowed_origins` text NOT NULL,
	`allow_anonymous` integer DEFAULT true NOT NULL,
	`color` text DEFAULT '#0f5b66' NOT NULL,
	`position` text DEFAULT 'right' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_public_key_unique` ON `sites` (`public_key`);--> statement-breakpoint
ALTER TABLE `feedback` ADD `site_id` text REFERENCES sites(id);--> statement-breakpoint
ALTER TABLE `feedback` ADD `page_url` text;--> statement-breakpoint
ALTER TABLE `feedback` ADD `page_title` text;--> statement-breakpoint
ALTER TABLE `feedback` ADD `product_ref` text;--> statement-breakpoint
ALTER TABLE `feedback` ADD `user_agent` text;--> statement-breakpoint
ALTER TABLE `feedback` ADD `idempotency_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `feedback_idempotency_key_unique` ON `feedback` (`idempotency_key`);--> statement-breakpoint
ALTER TABLE `requests` ADD `idempotency_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `requests_idempotency_key_unique` ON `requests` (`idempotency_key`);