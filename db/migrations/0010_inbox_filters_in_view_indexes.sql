DROP INDEX `requests_active_activity_idx`;--> statement-breakpoint
DROP INDEX `requests_active_due_idx`;--> statement-breakpoint
DROP INDEX `requests_active_assignee_activity_idx`;--> statement-breakpoint
DROP INDEX `requests_active_assignee_due_idx`;--> statement-breakpoint
DROP INDEX `requests_done_activity_idx`;--> statement-breakpoint
DROP INDEX `requests_done_due_idx`;--> statement-breakpoint
CREATE INDEX `requests_active_activity_idx` ON `requests` (`last_activity_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_due_idx` ON `requests` (`first_response_due_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_assignee_activity_idx` ON `requests` (`assignee_id`,`last_activity_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_assignee_due_idx` ON `requests` (`assignee_id`,`first_response_due_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_done_activity_idx` ON `requests` (`last_activity_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('resolved', 'closed');--> statement-breakpoint
CREATE INDEX `requests_done_due_idx` ON `requests` (`first_response_due_at`,`id`,`status`,`priority`,`channel`,`category_id`) WHERE status in ('resolved', 'closed');