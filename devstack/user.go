package devstack

import (
	"os"
	"os/user"
)

// lookupUser is os/user.Lookup; a variable so tests can exercise a missing
// postgres account.
var lookupUser = user.Lookup

// currentUserName is the PostgreSQL superuser name for non-root runs. initdb
// names the bootstrap superuser after the OS user by default, so this matches
// what a developer's psql would assume.
func currentUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	// Containers often run with a uid that has no passwd entry.
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "postgres"
}
