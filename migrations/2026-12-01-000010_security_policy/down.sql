DROP TABLE security_settings;
