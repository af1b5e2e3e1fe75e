// Package devstack starts the local services cxflow needs for `make run` and
// for tests: a PostgreSQL cluster from the machine's own server binaries and
// a Temporal dev server from the `temporal` CLI built into bin/, and Mailpit
// (an SMTP server that keeps what it is sent, readable through its web UI and
// JSON API) built into bin/ as well.
//
// Everything runs on 127.0.0.1 only. Child processes are started in their
// own process group (so a Ctrl-C in the terminal reaches only the launcher,
// which then stops them in order) and with a parent-death signal (so a
// launcher killed with SIGKILL does not leave orphans behind).
package devstack

// Environment variables read by the development launcher (cmd/cxflow) and
// their defaults. devstack itself only reads EnvTemporalBin and EnvMailpitBin;
// the others are defined here so that the launcher, the docs and the tests
// agree on them.
const (
	// EnvDataDir is where `make run` keeps persistent local state
	// (PostgreSQL cluster, Temporal SQLite file, logs), relative to the
	// module root unless absolute.
	EnvDataDir     = "CXFLOW_DATA_DIR"
	DefaultDataDir = ".data"

	// EnvPGPort is the local PostgreSQL port. 5433 rather than 5432 so a
	// system PostgreSQL on the default port does not collide.
	EnvPGPort     = "CXFLOW_PG_PORT"
	DefaultPGPort = 5433

	// EnvTemporalPort is the Temporal frontend gRPC port.
	EnvTemporalPort     = "CXFLOW_TEMPORAL_PORT"
	DefaultTemporalPort = 7233

	// EnvTemporalUIPort is the Temporal Web UI port.
	EnvTemporalUIPort     = "CXFLOW_TEMPORAL_UI_PORT"
	DefaultTemporalUIPort = 8233

	// EnvTemporalBin overrides the path of the `temporal` CLI
	// (see FindTemporalBinary).
	EnvTemporalBin = "CXFLOW_TEMPORAL_BIN"

	// EnvMailpitSMTPPort is the SMTP port of make run's Mailpit, where
	// cxflow sends its mail unless CXFLOW_SMTP_URL says otherwise.
	EnvMailpitSMTPPort     = "CXFLOW_MAILPIT_SMTP_PORT"
	DefaultMailpitSMTPPort = 1025

	// EnvMailpitUIPort is the port of make run's Mailpit web UI and API.
	EnvMailpitUIPort     = "CXFLOW_MAILPIT_UI_PORT"
	DefaultMailpitUIPort = 8025

	// EnvMailpitBin overrides the path of the `mailpit` executable
	// (see FindMailpitBinary).
	EnvMailpitBin = "CXFLOW_MAILPIT_BIN"
)
