ALTER TABLE `requests` ADD `search_key` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `requests_search_key_unique` ON `requests` (`search_key`);--> statement-breakpoint
-- Full-text search, rebuilt for scale (docs/decisions/023). One document per request (subject and every
-- message, notes included: staff search), in one of two indexes by the inbox's status class, so a search in
-- the working views never reads the closed archive. The document's rowid is the request's search_key,
-- which triggers raise on every activity: newest rowids are the latest activity, so "latest activity first"
-- is the index's own order and a page stops after its rows. Contentless (the text lives in the requests and
-- messages) with deletes, and detail=none (no positions: the search uses words and prefixes, no phrases),
-- which keeps the index small and prefix merges fast.
DROP TRIGGER `requests_fts_subject_insert`;--> statement-breakpoint
DROP TRIGGER `requests_fts_message_insert`;--> statement-breakpoint
DROP TRIGGER `requests_fts_request_delete`;--> statement-breakpoint
DROP TABLE `requests_fts`;--> statement-breakpoint
CREATE VIRTUAL TABLE `request_search_active` USING fts5(
	`text`,
	content = '',
	contentless_delete = 1,
	detail = none,
	tokenize = 'unicode61 remove_diacritics 2'
);--> statement-breakpoint
CREATE VIRTUAL TABLE `request_search_done` USING fts5(
	`text`,
	content = '',
	contentless_delete = 1,
	detail = none,
	tokenize = 'unicode61 remove_diacritics 2'
);--> statement-breakpoint
UPDATE `requests` SET `search_key` = `ranked`.`n`
FROM (SELECT `id`, row_number() OVER (ORDER BY `last_activity_at`, `id`) AS `n` FROM `requests`) AS `ranked`
WHERE `ranked`.`id` = `requests`.`id`;--> statement-breakpoint
INSERT INTO `request_search_active` (`rowid`, `text`)
SELECT `search_key`, `subject` || char(10) || coalesce((SELECT group_concat(`body`, char(10)) FROM `request_messages` WHERE `request_id` = `requests`.`id`), '')
FROM `requests` WHERE `status` IN ('open', 'pending');--> statement-breakpoint
INSERT INTO `request_search_done` (`rowid`, `text`)
SELECT `search_key`, `subject` || char(10) || coalesce((SELECT group_concat(`body`, char(10)) FROM `request_messages` WHERE `request_id` = `requests`.`id`), '')
FROM `requests` WHERE `status` IN ('resolved', 'closed');--> statement-breakpoint
-- A new key re-indexes the request: out of both indexes under the old key, into its class's under the new.
CREATE TRIGGER `request_search_reindex` AFTER UPDATE OF `search_key` ON `requests` BEGIN
	DELETE FROM `request_search_active` WHERE `rowid` = old.`search_key`;
	DELETE FROM `request_search_done` WHERE `rowid` = old.`search_key`;
	INSERT INTO `request_search_active` (`rowid`, `text`)
	SELECT new.`search_key`, new.`subject` || char(10) || coalesce((SELECT group_concat(`body`, char(10)) FROM `request_messages` WHERE `request_id` = new.`id`), '')
	WHERE new.`status` IN ('open', 'pending');
	INSERT INTO `request_search_done` (`rowid`, `text`)
	SELECT new.`search_key`, new.`subject` || char(10) || coalesce((SELECT group_concat(`body`, char(10)) FROM `request_messages` WHERE `request_id` = new.`id`), '')
	WHERE new.`status` IN ('resolved', 'closed');
END;--> statement-breakpoint
CREATE TRIGGER `request_search_insert` AFTER INSERT ON `requests` BEGIN
	UPDATE `requests` SET `search_key` = coalesce((SELECT max(`search_key`) FROM `requests`), 0) + 1 WHERE `id` = new.`id`;
END;--> statement-breakpoint
-- New activity moves the request to the top; a change of status or subject alone keeps its place.
CREATE TRIGGER `request_search_change` AFTER UPDATE OF `last_activity_at`, `status`, `subject` ON `requests`
WHEN new.`last_activity_at` IS NOT old.`last_activity_at` OR new.`status` IS NOT old.`status` OR new.`subject` IS NOT old.`subject`
BEGIN
	UPDATE `requests` SET `search_key` = CASE WHEN new.`last_activity_at` IS NOT old.`last_activity_at`
		THEN coalesce((SELECT max(`search_key`) FROM `requests`), 0) + 1 ELSE `search_key` END
	WHERE `id` = new.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `request_search_message` AFTER INSERT ON `request_messages` BEGIN
	UPDATE `requests` SET `search_key` = `search_key` WHERE `id` = new.`request_id`;
END;--> statement-breakpoint
CREATE TRIGGER `request_search_delete` AFTER DELETE ON `requests` BEGIN
	DELETE FROM `request_search_active` WHERE `rowid` = old.`search_key`;
	DELETE FROM `request_search_done` WHERE `rowid` = old.`search_key`;
END;
