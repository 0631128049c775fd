-- Full-text search over request subjects and messages (SQLite FTS5). Triggers keep it current, so no
-- code path can forget to; staff search matches either, one row per subject or message.
CREATE VIRTUAL TABLE `requests_fts` USING fts5(
	`request_id` UNINDEXED,
	`text`,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `requests_fts_subject_insert` AFTER INSERT ON `requests` BEGIN
	INSERT INTO `requests_fts` (`request_id`, `text`) VALUES (new.`id`, new.`subject`);
END;
--> statement-breakpoint
CREATE TRIGGER `requests_fts_message_insert` AFTER INSERT ON `request_messages` BEGIN
	INSERT INTO `requests_fts` (`request_id`, `text`) VALUES (new.`request_id`, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `requests_fts_request_delete` AFTER DELETE ON `requests` BEGIN
	DELETE FROM `requests_fts` WHERE `request_id` = old.`id`;
END;
