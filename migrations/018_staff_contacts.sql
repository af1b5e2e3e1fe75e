-- Where cxflow reaches staff (issue #12): an e-mail address and a mobile
-- number per user, both optional. Escalations and new work are e-mailed to
-- the people they concern who have an address.
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mobile text NOT NULL DEFAULT '';
