-- Failed sign-ins, counted per account and per client address as OWASP
-- advises, here so that several API servers agree. key is 'account:' and the
-- lower-cased username (whether or not it exists, so the counts tell nothing
-- of which do) or 'address:' and the client address. Successes are not
-- counted; one clears its account's count. A count whose window has passed
-- starts again.
CREATE TABLE sign_in_failures (
    key           text PRIMARY KEY,
    failures      integer NOT NULL,
    window_start  timestamptz NOT NULL,
    blocked_until timestamptz
);
