CREATE TABLE `feedback_four_weekly_keys` (
	`dimension` text NOT NULL,
	`start` integer NOT NULL,
	`site_id` text NOT NULL,
	`value` text NOT NULL,
	`n` integer NOT NULL,
	`score_sum` integer NOT NULL,
	`score_count` integer NOT NULL,
	PRIMARY KEY(`dimension`, `start`, `site_id`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feedback_weekly` (
	`week` integer NOT NULL,
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`score` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`week`, `site_id`, `kind`, `score`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `feedback_weekly_keys` (
	`dimension` text NOT NULL,
	`week` integer NOT NULL,
	`site_id` text NOT NULL,
	`value` text NOT NULL,
	`n` integer NOT NULL,
	`score_sum` integer NOT NULL,
	`score_count` integer NOT NULL,
	PRIMARY KEY(`dimension`, `week`, `site_id`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Coarser tiers of the feedback rollups (migration 0007, docs/decisions/025): per epoch week (the
-- analytics trend's weeks) and, for the breakdowns, per four epoch weeks. Filled from the daily rollups,
-- which hold the same counts, then kept by their own triggers beside 0007's, in the same transaction
-- as every insert, update and delete of a feedback row.
INSERT INTO `feedback_weekly` (`week`, `site_id`, `kind`, `score`, `n`)
SELECT `day` - `day` % 604800000, `site_id`, `kind`, `score`, sum(`n`)
FROM `feedback_daily` GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feedback_weekly_keys` (`dimension`, `week`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
SELECT `dimension`, `day` - `day` % 604800000, `site_id`, `value`, sum(`n`), sum(`score_sum`), sum(`score_count`)
FROM `feedback_daily_keys` GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO `feedback_four_weekly_keys` (`dimension`, `start`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
SELECT `dimension`, `day` - `day` % 2419200000, `site_id`, `value`, sum(`n`), sum(`score_sum`), sum(`score_count`)
FROM `feedback_daily_keys` GROUP BY 1, 2, 3, 4;--> statement-breakpoint
CREATE TRIGGER `feedback_weekly_insert` AFTER INSERT ON `feedback`
BEGIN
	INSERT INTO `feedback_weekly` (`week`, `site_id`, `kind`, `score`, `n`)
	VALUES (new.`created_at` - new.`created_at` % 604800000, coalesce(new.`site_id`, ''), new.`kind`, coalesce(new.`score`, -1), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
	INSERT INTO `feedback_weekly_keys` (`dimension`, `week`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 604800000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
	INSERT INTO `feedback_four_weekly_keys` (`dimension`, `start`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 2419200000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
END;--> statement-breakpoint
CREATE TRIGGER `feedback_weekly_delete` AFTER DELETE ON `feedback`
BEGIN
	UPDATE `feedback_weekly` SET `n` = `n` - 1 WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1);
	DELETE FROM `feedback_weekly` WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1) AND `n` = 0;
	UPDATE `feedback_weekly_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_weekly_keys` WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
	UPDATE `feedback_four_weekly_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `start` = old.`created_at` - old.`created_at` % 2419200000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_four_weekly_keys` WHERE `start` = old.`created_at` - old.`created_at` % 2419200000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `feedback_weekly_update` AFTER UPDATE OF `kind`, `score`, `site_id`, `created_at`, `page_url`, `product_ref`, `locale` ON `feedback`
BEGIN
	UPDATE `feedback_weekly` SET `n` = `n` - 1 WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1);
	DELETE FROM `feedback_weekly` WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND `kind` = old.`kind` AND `score` = coalesce(old.`score`, -1) AND `n` = 0;
	UPDATE `feedback_weekly_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_weekly_keys` WHERE `week` = old.`created_at` - old.`created_at` % 604800000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
	UPDATE `feedback_four_weekly_keys` SET `n` = `n` - 1, `score_sum` = `score_sum` - coalesce(old.`score`, 0),
		`score_count` = `score_count` - (old.`score` IS NOT NULL)
	WHERE `start` = old.`created_at` - old.`created_at` % 2419200000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`));
	DELETE FROM `feedback_four_weekly_keys` WHERE `start` = old.`created_at` - old.`created_at` % 2419200000 AND `site_id` = coalesce(old.`site_id`, '') AND ((`dimension` = 'page' AND `value` = old.`page_url`) OR (`dimension` = 'product' AND `value` = old.`product_ref`) OR (`dimension` = 'locale' AND `value` = old.`locale`)) AND `n` = 0;
	INSERT INTO `feedback_weekly` (`week`, `site_id`, `kind`, `score`, `n`)
	VALUES (new.`created_at` - new.`created_at` % 604800000, coalesce(new.`site_id`, ''), new.`kind`, coalesce(new.`score`, -1), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
	INSERT INTO `feedback_weekly_keys` (`dimension`, `week`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 604800000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
	INSERT INTO `feedback_four_weekly_keys` (`dimension`, `start`, `site_id`, `value`, `n`, `score_sum`, `score_count`)
	SELECT `dimension`, new.`created_at` - new.`created_at` % 2419200000, coalesce(new.`site_id`, ''), `value`, 1, coalesce(new.`score`, 0), new.`score` IS NOT NULL
	FROM (SELECT 'page' AS `dimension`, new.`page_url` AS `value`
	UNION ALL SELECT 'product' AS `dimension`, new.`product_ref` AS `value`
	UNION ALL SELECT 'locale' AS `dimension`, new.`locale` AS `value`)
	WHERE `value` IS NOT NULL AND `value` <> ''
	ON CONFLICT DO UPDATE SET `n` = `n` + 1, `score_sum` = `score_sum` + excluded.`score_sum`,
		`score_count` = `score_count` + excluded.`score_count`;
END;
