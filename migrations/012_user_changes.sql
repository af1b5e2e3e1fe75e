-- When a user record last changed and who changed it, kept on the record so
-- the administration list needs no audit-trail lookup per user.
ALTER TABLE users ADD COLUMN updated_at timestamptz;
ALTER TABLE users ADD COLUMN updated_by text NOT NULL DEFAULT '';
UPDATE users SET updated_at = created_at;
ALTER TABLE users ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
