// Package composecheck validates the deployment files at the repository root
// (docker-compose.yml, Dockerfile) without a Docker engine: the compose file
// is loaded and normalized with compose-go, the same library `docker
// compose` uses, and its wiring is checked against what our programs expect.
package composecheck

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

const repoRoot = "../.."

// testKeys stand in for the operator's keys, which the compose file requires.
var testKeys = []string{
	"CXFLOW_ENCRYPTION_KEYS=k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	"CXFLOW_LINK_KEYS=l1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
}

func loadProject(t *testing.T, env ...string) *types.Project {
	t.Helper()
	env = append(append([]string{}, testKeys...), env...)
	// No OS environment: the result must not depend on the developer's shell.
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(repoRoot, "docker-compose.yml")},
		cli.WithName("cxflow"),
		cli.WithEnv(env),
		cli.WithWorkingDirectory(repoRoot),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("service %q: %v", name, err)
	}
	return s
}

func env(t *testing.T, s types.ServiceConfig, key string) string {
	t.Helper()
	v, ok := s.Environment[key]
	if !ok || v == nil {
		t.Fatalf("service %s: environment %s not set", s.Name, key)
	}
	return *v
}

func TestServicesExist(t *testing.T) {
	p := loadProject(t)
	if p.Name != "cxflow" {
		t.Errorf("project name %q", p.Name)
	}
	want := []string{"api", "migrate", "postgres", "temporal", "temporal-ui", "worker"}
	got := p.ServiceNames()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services = %v, want %v", got, want)
	}
	images := map[string]string{
		"postgres":    "postgres:15",
		"temporal":    "temporalio/auto-setup:1.29.1",
		"temporal-ui": "temporalio/ui:2.42.1",
	}
	for name, image := range images {
		if got := service(t, p, name).Image; got != image {
			t.Errorf("%s image = %q, want %q", name, got, image)
		}
	}
	for _, name := range []string{"postgres", "temporal"} {
		if hc := service(t, p, name).HealthCheck; hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s has no healthcheck (others wait for service_healthy)", name)
		}
	}
	pg := service(t, p, "postgres")
	if len(pg.Volumes) == 0 || pg.Volumes[0].Target != "/var/lib/postgresql/data" || pg.Volumes[0].Type != types.VolumeTypeVolume {
		t.Errorf("postgres data not on a named volume: %+v", pg.Volumes)
	}
}

func TestPorts(t *testing.T) {
	p := loadProject(t)
	published := func(name string) map[string]uint32 {
		m := map[string]uint32{}
		for _, port := range service(t, p, name).Ports {
			m[port.Published] = port.Target
		}
		return m
	}
	if got := published("api"); got["8080"] != 8080 {
		t.Errorf("api ports %v, want 8080->8080", got)
	}
	if got := published("temporal-ui"); got["8233"] != 8080 {
		t.Errorf("temporal-ui ports %v, want 8233->8080", got)
	}
	if got := env(t, service(t, p, "api"), "CXFLOW_HTTP_ADDR"); got != ":8080" {
		t.Errorf("api CXFLOW_HTTP_ADDR = %q", got)
	}
}

func TestAppWiring(t *testing.T) {
	p := loadProject(t)
	temporal := service(t, p, "temporal")
	commands := map[string]string{"migrate": "/usr/local/bin/migrate", "worker": "/usr/local/bin/worker", "api": "/usr/local/bin/server"}
	for name, cmd := range commands {
		s := service(t, p, name)
		if len(s.Command) != 1 || s.Command[0] != cmd {
			t.Errorf("%s command = %v, want [%s]", name, s.Command, cmd)
		}
		if s.Build == nil || filepath.Clean(s.Build.Context) != mustAbs(t, repoRoot) || s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s build = %+v, want the repository root's Dockerfile", name, s.Build)
		}

		dbURL, err := url.Parse(env(t, s, "DATABASE_URL"))
		if err != nil {
			t.Fatalf("%s DATABASE_URL: %v", name, err)
		}
		if dbURL.Scheme != "postgres" || dbURL.Hostname() != "postgres" || dbURL.Port() != "5432" {
			t.Errorf("%s DATABASE_URL %s does not point at the postgres service", name, dbURL.Redacted())
		}
		db := strings.TrimPrefix(dbURL.Path, "/")
		if db == "" || db == env(t, temporal, "DBNAME") || db == env(t, temporal, "VISIBILITY_DBNAME") {
			t.Errorf("%s uses database %q; cxflow needs its own, apart from Temporal's", name, db)
		}
		if name == "migrate" {
			continue
		}
		if got := env(t, s, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
			t.Errorf("%s TEMPORAL_ADDRESS = %q, want temporal:7233", name, got)
		}
		for _, key := range []string{"TEMPORAL_NAMESPACE", "CXFLOW_TASK_QUEUE", "CXFLOW_TIMEZONE", "CXFLOW_LOG_LEVEL"} {
			env(t, s, key)
		}
	}
	// The password must reach the app URL and both database clients alike.
	p = loadProject(t, "POSTGRES_PASSWORD=s3cret")
	for _, name := range []string{"migrate", "worker", "api"} {
		u, _ := url.Parse(env(t, service(t, p, name), "DATABASE_URL"))
		if pw, _ := u.User.Password(); pw != "s3cret" {
			t.Errorf("%s DATABASE_URL ignores POSTGRES_PASSWORD", name)
		}
	}
	if env(t, service(t, p, "postgres"), "POSTGRES_PASSWORD") != "s3cret" || env(t, service(t, p, "temporal"), "POSTGRES_PWD") != "s3cret" {
		t.Error("POSTGRES_PASSWORD not passed to postgres and temporal")
	}
}

func TestTemporalUsesPostgres(t *testing.T) {
	s := service(t, loadProject(t), "temporal")
	want := map[string]string{"DB": "postgres12", "DB_PORT": "5432", "POSTGRES_SEEDS": "postgres"}
	for k, v := range want {
		if got := env(t, s, k); got != v {
			t.Errorf("temporal %s = %q, want %q", k, got, v)
		}
	}
	if got := env(t, s, "POSTGRES_USER"); got != env(t, service(t, loadProject(t), "postgres"), "POSTGRES_USER") {
		t.Errorf("temporal POSTGRES_USER %q is not the postgres service's user", got)
	}
	if got := env(t, service(t, loadProject(t), "temporal-ui"), "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("temporal-ui TEMPORAL_ADDRESS = %q", got)
	}
}

func TestDependsOn(t *testing.T) {
	p := loadProject(t)
	want := map[string]map[string]string{
		"temporal":    {"postgres": types.ServiceConditionHealthy},
		"temporal-ui": {"temporal": types.ServiceConditionHealthy},
		"migrate":     {"postgres": types.ServiceConditionHealthy},
		"worker":      {"migrate": types.ServiceConditionCompletedSuccessfully, "temporal": types.ServiceConditionHealthy},
		"api":         {"migrate": types.ServiceConditionCompletedSuccessfully, "temporal": types.ServiceConditionHealthy},
	}
	for name, deps := range want {
		s := service(t, p, name)
		got := map[string]string{}
		for dep, d := range s.DependsOn {
			got[dep] = d.Condition
		}
		for dep, cond := range deps {
			if got[dep] != cond {
				t.Errorf("%s depends_on %s: condition %q, want %q", name, dep, got[dep], cond)
			}
		}
	}
	if r := service(t, p, "migrate").Restart; r != types.RestartPolicyNo {
		t.Errorf("migrate restart = %q, want %q (it runs once)", r, types.RestartPolicyNo)
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{
		"FROM golang:1.26-bookworm AS build",
		"FROM debian:bookworm-slim",
		"ca-certificates", "tzdata",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	build := regexp.MustCompile(`(?m)^RUN .*go build .*$`).FindString(df)
	for _, cmd := range []string{"./cmd/server", "./cmd/worker", "./cmd/migrate"} {
		if !strings.Contains(build, cmd) {
			t.Errorf("Dockerfile's go build line %q does not build %s", build, cmd)
		}
	}
	for _, bin := range []string{"server", "worker", "migrate"} {
		if !regexp.MustCompile(`COPY --from=build .*/` + bin + `\b.*/usr/local/bin/`).MatchString(df) {
			t.Errorf("Dockerfile does not install %s into /usr/local/bin", bin)
		}
	}
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(users) == 0 || users[len(users)-1][1] == "root" || users[len(users)-1][1] == "0" {
		t.Errorf("runtime image must run as a non-root USER, got %v", users)
	}

	ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bin/", ".data/"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore must exclude %s (large local artifacts)", want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// The keys must come from the operator: without them the file does not load,
// rather than running with a key everyone knows.
func TestKeysAreRequired(t *testing.T) {
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(repoRoot, "docker-compose.yml")},
		cli.WithName("cxflow"), cli.WithEnv(nil), cli.WithWorkingDirectory(repoRoot),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opts.LoadProject(context.Background()); err == nil || !strings.Contains(err.Error(), "CXFLOW_ENCRYPTION_KEYS") {
		t.Fatalf("want an error naming CXFLOW_ENCRYPTION_KEYS, got %v", err)
	}
	p := loadProject(t)
	for _, svc := range []string{"api", "worker"} {
		if env(t, service(t, p, svc), "CXFLOW_ENCRYPTION_KEYS") == "" {
			t.Errorf("%s gets no CXFLOW_ENCRYPTION_KEYS", svc)
		}
	}
	if env(t, service(t, p, "api"), "CXFLOW_LINK_KEYS") == "" {
		t.Error("api gets no CXFLOW_LINK_KEYS")
	}
}

// Mailpit is optional: only the mail profile starts it, nothing waits for it,
// and the cxflow services send mail where CXFLOW_SMTP_URL says (nowhere when
// it is unset).
func TestMailpitProfile(t *testing.T) {
	p := loadProject(t)
	for _, name := range p.ServiceNames() {
		if name == "mailpit" {
			t.Fatal("mailpit runs without the mail profile")
		}
	}
	for _, name := range []string{"api", "worker"} {
		s := service(t, p, name)
		if got := env(t, s, "CXFLOW_SMTP_URL"); got != "" {
			t.Errorf("%s CXFLOW_SMTP_URL = %q by default, want empty (no mail server)", name, got)
		}
		if got := env(t, s, "CXFLOW_MAIL_FROM"); got != "cxflow <noreply@example.com>" {
			t.Errorf("%s CXFLOW_MAIL_FROM = %q", name, got)
		}
		if _, ok := s.DependsOn["mailpit"]; ok {
			t.Errorf("%s depends on the optional mailpit service", name)
		}
	}

	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(repoRoot, "docker-compose.yml")},
		cli.WithName("cxflow"),
		cli.WithEnv(append(append([]string{}, testKeys...), "CXFLOW_SMTP_URL=smtp://mailpit:1025?starttls=none")),
		cli.WithWorkingDirectory(repoRoot),
		cli.WithProfiles([]string{"mail"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err = opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with the mail profile: %v", err)
	}
	mp := service(t, p, "mailpit")
	// The same Mailpit as make run and the tests use (tools/mailpit/go.mod).
	goMod, err := os.ReadFile(filepath.Join(repoRoot, "tools", "mailpit", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	pin := regexp.MustCompile(`(?m)^\s*github\.com/axllent/mailpit (v\S+)`).FindStringSubmatch(string(goMod))
	if pin == nil {
		t.Fatal("tools/mailpit/go.mod pins no github.com/axllent/mailpit")
	}
	if want := "axllent/mailpit:" + pin[1]; mp.Image != want {
		t.Errorf("mailpit image = %q, want %q (the version tools/mailpit pins)", mp.Image, want)
	}
	ui := false
	for _, port := range mp.Ports {
		ui = ui || (port.Published == "8025" && port.Target == 8025)
	}
	if !ui {
		t.Errorf("mailpit ports %+v, want its UI on 8025", mp.Ports)
	}
	for _, name := range []string{"api", "worker"} {
		raw := env(t, service(t, p, name), "CXFLOW_SMTP_URL")
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() != "mailpit" || u.Port() != "1025" {
			t.Errorf("%s CXFLOW_SMTP_URL = %q, want the operator's value (Mailpit's SMTP port)", name, raw)
		}
	}
}
