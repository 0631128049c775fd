-- A pre-release form of this migration made `auth_version` and these triggers: gone wherever it ran.
DROP TRIGGER IF EXISTS `auth_version_users_update`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `auth_version_users_delete`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `auth_version_sessions_delete`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `auth_version_sessions_update`;--> statement-breakpoint
DROP TABLE IF EXISTS `auth_version`;--> statement-breakpoint
CREATE TABLE `cache_versions` (
	`name` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);--> statement-breakpoint
INSERT INTO `cache_versions` (`name`, `version`) VALUES ('sessions', 0), ('sites', 0);--> statement-breakpoint
-- "sessions": any change to a user (role, deactivation, password, two-factor, account, name, locale…) and
-- any session ended or shortened, whoever makes it (a service, a cascade from a deleted user, a script).
-- A session's renewal (a later expires_at) needs no new version.
CREATE TRIGGER `cache_versions_users_update` AFTER UPDATE ON `users`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sessions';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_users_delete` AFTER DELETE ON `users`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sessions';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_sessions_delete` AFTER DELETE ON `sessions`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sessions';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_sessions_update` AFTER UPDATE ON `sessions`
WHEN NOT (new.`id` = old.`id` AND new.`user_id` = old.`user_id` AND new.`created_at` = old.`created_at` AND new.`expires_at` >= old.`expires_at`)
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sessions';
END;--> statement-breakpoint
-- "sites": any change to a widget site or a block, which the widget door keeps per process.
CREATE TRIGGER `cache_versions_sites_insert` AFTER INSERT ON `sites`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_sites_update` AFTER UPDATE ON `sites`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_sites_delete` AFTER DELETE ON `sites`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_widget_blocks_insert` AFTER INSERT ON `widget_blocks`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_widget_blocks_update` AFTER UPDATE ON `widget_blocks`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_widget_blocks_delete` AFTER DELETE ON `widget_blocks`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'sites';
END;
