CREATE TABLE `feedback_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`feedback_id` text NOT NULL,
	`author_id` text,
	`author_name` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`feedback_id`) REFERENCES `feedback`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `feedback_replies_feedback_idx` ON `feedback_replies` (`feedback_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `feedback` ADD `order_id` text REFERENCES orders(id);--> statement-breakpoint
ALTER TABLE `feedback` ADD `followed_up_at` integer;--> statement-breakpoint
ALTER TABLE `feedback` ADD `followed_up_by` text REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `feedback` ADD `follow_up_request_id` text REFERENCES requests(id);--> statement-breakpoint
CREATE INDEX `feedback_created_idx` ON `feedback` (`created_at`);