DROP TABLE server_secrets;
DROP TABLE password_resets;
DROP TABLE auth_sessions;
DROP TABLE users;
