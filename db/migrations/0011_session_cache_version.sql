CREATE TABLE `auth_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `auth_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
-- Any change to a user (role, deactivation, password, two-factor, account, name, locale…) and any session
-- ended or shortened, whoever makes it (a service, a cascade from a deleted account, a script): every
-- process then checks its sessions again. A session's renewal (a later expires_at) needs no new version.
CREATE TRIGGER `auth_version_users_update` AFTER UPDATE ON `users`
BEGIN
	UPDATE `auth_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `auth_version_users_delete` AFTER DELETE ON `users`
BEGIN
	UPDATE `auth_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `auth_version_sessions_delete` AFTER DELETE ON `sessions`
BEGIN
	UPDATE `auth_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `auth_version_sessions_update` AFTER UPDATE ON `sessions`
WHEN NOT (new.`id` = old.`id` AND new.`user_id` = old.`user_id` AND new.`created_at` = old.`created_at` AND new.`expires_at` >= old.`expires_at`)
BEGIN
	UPDATE `auth_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
