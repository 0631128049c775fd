CREATE TABLE `directory_counts` (
	`key` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `feedback_daily` (
	`day` integer NOT NULL,
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`score` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`day`, `site_id`, `kind`, `score`)
);
--> statement-breakpoint
CREATE TABLE `feedback_daily_keys` (
	`dimension` text NOT NULL,
	`day` integer NOT NULL,
	`site_id` text NOT NULL,
	`value` text NOT NULL,
	`n` integer NOT NULL,
	`score_sum` integer NOT NULL,
	`score_count` integer NOT NULL,
	PRIMARY KEY(`dimension`, `day`, `site_id`, `value`)
);
--> statement-breakpoint
CREATE TABLE `request_counts` (
	`status` text NOT NULL,
	`assignee_id` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`status`, `assignee_id`)
);
--> statement-breakpoint
DROP INDEX `requests_status_activity_idx`;--> statement-breakpoint
DROP INDEX `requests_status_due_idx`;--> statement-breakpoint
CREATE INDEX `requests_account_created_idx` ON `requests` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `requests_active_activity_idx` ON `requests` (`last_activity_at`,`id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_due_idx` ON `requests` (`first_response_due_at`,`id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_assignee_activity_idx` ON `requests` (`assignee_id`,`last_activity_at`,`id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_active_assignee_due_idx` ON `requests` (`assignee_id`,`first_response_due_at`,`id`) WHERE status in ('open', 'pending');--> statement-breakpoint
CREATE INDEX `requests_done_activity_idx` ON `requests` (`last_activity_at`,`id`) WHERE status in ('resolved', 'closed');--> statement-breakpoint
CREATE INDEX `requests_done_due_idx` ON `requests` (`first_response_due_at`,`id`) WHERE status in ('resolved', 'closed');--> statement-breakpoint
DROP INDEX `feedback_created_idx`;--> statement-breakpoint
DROP INDEX `feedback_site_idx`;--> statement-breakpoint
CREATE INDEX `feedback_user_idx` ON `feedback` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `feedback_follow_up_idx` ON `feedback` (`created_at`) WHERE ((kind = 'nps' and score <= 6) or (kind in ('rating', 'csat') and score <= 2)) and followed_up_at is null;--> statement-breakpoint
CREATE INDEX `feedback_created_idx` ON `feedback` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `feedback_site_idx` ON `feedback` (`site_id`,`created_at`,`id`);--> statement-breakpoint
DROP INDEX `audit_log_at_idx`;--> statement-breakpoint
DROP INDEX `audit_log_action_idx`;--> statement-breakpoint
CREATE INDEX `audit_log_subject_idx` ON `audit_log` (`subject_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`at`,`id`);--> statement-breakpoint
DROP INDEX `request_messages_request_idx`;--> statement-breakpoint
CREATE INDEX `request_messages_request_idx` ON `request_messages` (`request_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `orders_account_status_placed_idx` ON `orders` (`account_id`,`status`,`placed_at`,`id`);--> statement-breakpoint
-- Rollups (db/schema/rollups.ts): first filled from the rows already there, then kept by triggers in
-- the same transaction as every insert, update and delete, whoever writes (services, ingest, the scale
-- seed's plain INSERTs). An update moves a row out of its old bucket and into its new one; empty buckets
-- are deleted, so a rollup always equals a recount of its table.
INSERT INTO `feedback_daily` (`day`, `site_id`, `kind`, `score`, `n`)
SELECT `created_at` - `created_at` % 86400000, coalesce(`site_id`, ''), `kind`, coalesce(`score`, -1), count(*)
FROM `feedback` GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feedback_daily_keys` (`dimension`, `day`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
SELECT 'page', `created_at` - `created_at` % 86400000, coalesce(`site_id`, ''), `page_url`, count(*), coalesce(sum(`score`), 0), count(`score`)
FROM `feedback` WHERE `page_url` IS NOT NULL AND `page_url` <> '' GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feedback_daily_keys` (`dimension`, `day`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
SELECT 'product', `created_at` - `created_at` % 86400000, coalesce(`site_id`, ''), `product_ref`, count(*), coalesce(sum(`score`), 0), count(`score`)
FROM `feedback` WHERE `product_ref` IS NOT NULL AND `product_ref` <> '' GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feedback_daily_keys` (`dimension`, `day`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
SELECT 'locale', `created_at` - `created_at` % 86400000, coalesce(`site_id`, ''), `locale`, count(*), coalesce(sum(`score`), 0), count(`score`)
FROM `feedback` WHERE `locale` IS NOT NULL AND `locale` <> '' GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `request_counts` (`status`, `assignee_id`, `n`)
SELECT `status`, coalesce(`assignee_id`, ''), count(*) FROM `requests` GROUP BY 1, 2;--> statement-breakpoint
INSERT INTO `directory_counts` (`key`, `n`)
SELECT 'account:' || `kind`, count(*) FROM `accounts` GROUP BY `kind`
UNION ALL
SELECT 'user:' || `role`, count(*) FROM `users` GROUP BY `role`;--> statement-breakpoint
CREATE TRIGGER `feedback_rollup_insert` AFTER INSERT ON `feedback`
BEGIN
	INSERT INTO `feedback_daily` (`day`, `site_id`, `kind`, `score`, `n`)
	VALUES (new.`created_at` - new.`created_at` % 86400000, coalesce(new.`site_id`, ''), new.`kind`, coalesce(new.`score`, -1), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
	INSERT INTO `feedback_daily_keys` (`dimension`, `day`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 86400000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
END;--> statement-breakpoint
CREATE TRIGGER `feedback_rollup_delete` AFTER DELETE ON `feedback`
BEGIN
	UPDATE `feedback_daily` SET `n` = `n` - 1 WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1);
	DELETE FROM `feedback_daily` WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1) AND `n` = 0;
	UPDATE `feedback_daily_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_daily_keys` WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `feedback_rollup_update` AFTER UPDATE OF `kind`, `score`, `site_id`, `created_at`, `page_url`, `product_ref`, `locale` ON `feedback`
BEGIN
	UPDATE `feedback_daily` SET `n` = `n` - 1 WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1);
	DELETE FROM `feedback_daily` WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1) AND `n` = 0;
	UPDATE `feedback_daily_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_daily_keys` WHERE `day` = old.`created_at` - old.`created_at` % 86400000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
	INSERT INTO `feedback_daily` (`day`, `site_id`, `kind`, `score`, `n`)
	VALUES (new.`created_at` - new.`created_at` % 86400000, coalesce(new.`site_id`, ''), new.`kind`, coalesce(new.`score`, -1), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
	INSERT INTO `feedback_daily_keys` (`dimension`, `day`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 86400000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
END;--> statement-breakpoint
CREATE TRIGGER `request_counts_insert` AFTER INSERT ON `requests`
BEGIN
	INSERT INTO `request_counts` (`status`, `assignee_id`, `n`) VALUES (new.`status`, coalesce(new.`assignee_id`, ''), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `request_counts_delete` AFTER DELETE ON `requests`
BEGIN
	UPDATE `request_counts` SET `n` = `n` - 1 WHERE `status` = old.`status` AND `assignee_id` = coalesce(old.`assignee_id`, '');
	DELETE FROM `request_counts` WHERE `status` = old.`status` AND `assignee_id` = coalesce(old.`assignee_id`, '') AND `n` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `request_counts_update` AFTER UPDATE OF `status`, `assignee_id` ON `requests`
BEGIN
	UPDATE `request_counts` SET `n` = `n` - 1 WHERE `status` = old.`status` AND `assignee_id` = coalesce(old.`assignee_id`, '');
	DELETE FROM `request_counts` WHERE `status` = old.`status` AND `assignee_id` = coalesce(old.`assignee_id`, '') AND `n` = 0;
	INSERT INTO `request_counts` (`status`, `assignee_id`, `n`) VALUES (new.`status`, coalesce(new.`assignee_id`, ''), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_accounts_insert` AFTER INSERT ON `accounts`
BEGIN
	INSERT INTO `directory_counts` (`key`, `n`) VALUES ('account:' || new.`kind`, 1) ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_accounts_delete` AFTER DELETE ON `accounts`
BEGIN
	UPDATE `directory_counts` SET `n` = `n` - 1 WHERE `key` = 'account:' || old.`kind`;
	DELETE FROM `directory_counts` WHERE `key` = 'account:' || old.`kind` AND `n` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_accounts_update` AFTER UPDATE OF `kind` ON `accounts`
BEGIN
	UPDATE `directory_counts` SET `n` = `n` - 1 WHERE `key` = 'account:' || old.`kind`;
	DELETE FROM `directory_counts` WHERE `key` = 'account:' || old.`kind` AND `n` = 0;
	INSERT INTO `directory_counts` (`key`, `n`) VALUES ('account:' || new.`kind`, 1) ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_users_insert` AFTER INSERT ON `users`
BEGIN
	INSERT INTO `directory_counts` (`key`, `n`) VALUES ('user:' || new.`role`, 1) ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_users_delete` AFTER DELETE ON `users`
BEGIN
	UPDATE `directory_counts` SET `n` = `n` - 1 WHERE `key` = 'user:' || old.`role`;
	DELETE FROM `directory_counts` WHERE `key` = 'user:' || old.`role` AND `n` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `directory_counts_users_update` AFTER UPDATE OF `role` ON `users`
BEGIN
	UPDATE `directory_counts` SET `n` = `n` - 1 WHERE `key` = 'user:' || old.`role`;
	DELETE FROM `directory_counts` WHERE `key` = 'user:' || old.`role` AND `n` = 0;
	INSERT INTO `directory_counts` (`key`, `n`) VALUES ('user:' || new.`role`, 1) ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;
