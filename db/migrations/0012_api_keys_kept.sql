-- "api keys": any change to an ingest API key (made, revoked, its last use noted once a minute), which the
-- ingest door keeps per process (db/versioned-cache.ts, docs/decisions/032).
INSERT INTO `cache_versions` (`name`, `version`) VALUES ('api keys', 0);--> statement-breakpoint
CREATE TRIGGER `cache_versions_api_keys_insert` AFTER INSERT ON `api_keys`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'api keys';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_api_keys_update` AFTER UPDATE ON `api_keys`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'api keys';
END;--> statement-breakpoint
CREATE TRIGGER `cache_versions_api_keys_delete` AFTER DELETE ON `api_keys`
BEGIN
	UPDATE `cache_versions` SET `version` = `version` + 1 WHERE `name` = 'api keys';
END;
