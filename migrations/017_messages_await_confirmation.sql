-- A message written by the activity that saves a case's new state (an
-- escalation notice, a customer's acknowledgement) is decided while that
-- state is still provisional (migration 014): the workflow task that made it
-- may yet be lost. case_version is the case's version the message reports;
-- it is delivered only once the read model holds that version confirmed (or
-- a later one). 0: the message waits for nothing.
ALTER TABLE notifications ADD COLUMN case_version integer NOT NULL DEFAULT 0;
