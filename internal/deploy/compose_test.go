package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
	"github.com/teachtrack/api/internal/config"
)

// The database nodes, in the order DATABASE_URL, DATABASE_REPLICA_URLS list them.
// All start read-only: `replication setup` makes the primary writable (issue 21),
// so a former primary restarted after a failover never takes writes.
var dbNodes = []struct {
	name     string
	readOnly bool
}{
	{"db-primary", true},
	{"db-replica-1", true},
	{"db-replica-2", true},
}

// apiServices are the services that run the API image.
func apiServices(cf composeFile) []string {
	var out []string
	for name, s := range cf.Services {
		if s.Image == cf.Services["api"].Image {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestComposeServicesAndDependencies(t *testing.T) {
	cf, _ := loadCompose(t)
	if cf.Version != nil {
		t.Errorf("has the obsolete top-level version: %q (the Compose Specification has none)", *cf.Version)
	}
	tests := []struct {
		service    string
		dependency string
		condition  string
	}{
		{"replication-init", "db-primary", "service_healthy"},
		{"replication-init", "db-replica-1", "service_healthy"},
		{"replication-init", "db-replica-2", "service_healthy"},
		{"api", "replication-init", "service_completed_successfully"},
		{"api-multi-1", "redis", "service_healthy"},
		{"api-multi-2", "redis", "service_healthy"},
	}
	for _, tt := range tests {
		t.Run(tt.service+"->"+tt.dependency, func(t *testing.T) {
			s, ok := cf.Services[tt.service]
			if !ok {
				t.Fatalf("no service %s", tt.service)
			}
			if got := s.DependsOn[tt.dependency].Condition; got != tt.condition {
				t.Errorf("depends_on %s condition = %q, want %q", tt.dependency, got, tt.condition)
			}
		})
	}

	api, initSvc := cf.Services["api"], cf.Services["replication-init"]
	if api.Image == "" || api.Build == nil || api.Build.Context != "." {
		t.Errorf("api: image %q build %+v, want an image built from the repository's Dockerfile", api.Image, api.Build)
	}
	if diff := cmp.Diff(api.Command, []string{"serve"}); diff != "" {
		t.Errorf("api command (-got +want):\n%s", diff)
	}
	if initSvc.Image != api.Image {
		t.Errorf("replication-init runs image %q, want the API's %q", initSvc.Image, api.Image)
	}
	if diff := cmp.Diff(initSvc.Command, []string{"replication", "setup"}); diff != "" {
		t.Errorf("replication-init command (-got +want):\n%s", diff)
	}
	for _, name := range []string{"redis", "api-multi-1", "api-multi-2"} {
		if got := cf.Services[name].Profiles; !slices.Contains(got, "multi") {
			t.Errorf("%s profiles = %v, want it under the multi profile", name, got)
		}
	}
	for _, name := range []string{"api-multi-1", "api-multi-2"} {
		s := cf.Services[name]
		if s.Image != api.Image {
			t.Errorf("%s runs image %q, want the API's %q", name, s.Image, api.Image)
		}
		if got := s.Environment["REDIS_URL"]; !strings.HasPrefix(got, "redis://redis:") {
			t.Errorf("%s REDIS_URL = %q, want the redis service", name, got)
		}
	}
}

func TestComposeDatabaseNodes(t *testing.T) {
	cf, _ := loadCompose(t)
	serverIDs := map[string]string{}
	dataVolumes := map[string]string{}
	for _, node := range dbNodes {
		t.Run(node.name, func(t *testing.T) {
			s, ok := cf.Services[node.name]
			if !ok {
				t.Fatalf("no service %s", node.name)
			}
			if s.Image != "${DB_IMAGE:-mariadb:10.11}" {
				t.Errorf("image = %q, want ${DB_IMAGE:-mariadb:10.11}", s.Image)
			}
			flags := map[string]string{}
			for _, arg := range s.Command {
				k, v, _ := strings.Cut(arg, "=")
				flags[k] = v
			}
			for _, want := range []string{"--log-bin", "--loose-gtid-mode=ON", "--loose-enforce-gtid-consistency=ON"} {
				k, v, _ := strings.Cut(want, "=")
				if got, ok := flags[k]; !ok || (v != "" && got != v) {
					t.Errorf("command lacks %s: %v", want, s.Command)
				}
			}
			id := flags["--server-id"]
			if id == "" || id == "0" {
				t.Errorf("server id = %q, want a distinct non-zero one", id)
			} else if other, dup := serverIDs[id]; dup {
				t.Errorf("server id %s is also %s's", id, other)
			}
			serverIDs[id] = node.name
			if got := flags["--read-only"] == "1"; got != node.readOnly {
				t.Errorf("read-only = %v (--read-only=%q), want %v", got, flags["--read-only"], node.readOnly)
			}
			if s.Healthcheck == nil || s.Healthcheck.Disable || len(s.Healthcheck.Test) == 0 {
				t.Errorf("no healthcheck: replication-init waits for service_healthy")
			}
			var data string
			for _, v := range s.Volumes {
				parts := strings.Split(v, ":")
				if len(parts) < 2 {
					continue
				}
				switch parts[1] {
				case "/var/lib/mysql":
					data = parts[0]
				case "/docker-entrypoint-initdb.d":
					checkInitDir(t, parts[0])
				}
			}
			if _, named := cf.Volumes[data]; !named {
				t.Errorf("data volume %q is not a named volume of the file", data)
			} else if other, dup := dataVolumes[data]; dup {
				t.Errorf("data volume %s is also %s's", data, other)
			}
			dataVolumes[data] = node.name
			if !slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.Contains(v, ":/docker-entrypoint-initdb.d") }) {
				t.Errorf("no init directory mounted at /docker-entrypoint-initdb.d: the app account would lack its monitor grant")
			}
		})
	}
}

// checkInitDir checks the directory mounted into the images' init hook: the
// script there must be sourced (not executed) to reach docker_process_sql, and
// must keep both grants and both GTID resets.
func checkInitDir(t *testing.T, dir string) {
	t.Helper()
	scripts, _ := filepath.Glob(filepath.Join("..", "..", dir, "*.sh"))
	if len(scripts) == 0 {
		t.Errorf("init directory %s has no .sh script", dir)
		return
	}
	var all strings.Builder
	for _, p := range scripts {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode()&0o111 != 0 {
			t.Errorf("%s is executable: the image would run it in a shell without docker_process_sql; chmod 644 it", p)
		}
		b, _ := os.ReadFile(p)
		all.Write(b)
	}
	for _, want := range []string{"GRANT SLAVE MONITOR", "GRANT REPLICATION CLIENT", "RESET MASTER", "gtid_slave_pos = ''", "RESET BINARY LOGS AND GTIDS"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("init scripts in %s lack %q", dir, want)
		}
	}
}

func TestComposePublishesOnlyTheAPIByDefault(t *testing.T) {
	cf, _ := loadCompose(t)
	for name, s := range cf.Services {
		if len(s.Ports) == 0 {
			continue
		}
		switch {
		case len(s.Profiles) == 0 && name != "api":
			t.Errorf("%s publishes %v without a profile; only api may", name, s.Ports)
		case slices.Contains(s.Profiles, "debug"):
			for _, p := range s.Ports {
				if !strings.HasPrefix(p, "127.0.0.1:") {
					t.Errorf("%s publishes %q beyond the loopback", name, p)
				}
			}
		}
	}
	if diff := cmp.Diff(cf.Services["api"].Ports, []string{"${API_PORT:-8080}:" + exposedPort(t)}); diff != "" {
		t.Errorf("api ports (-got +want):\n%s", diff)
	}
	for _, node := range dbNodes {
		if !slices.ContainsFunc(cf.Services[node.name+"-port"].Ports, func(p string) bool { return strings.HasSuffix(p, ":3306") }) ||
			!slices.Contains(cf.Services[node.name+"-port"].Profiles, "debug") {
			t.Errorf("%s's port is not published under the debug profile", node.name)
		}
	}
}

func TestComposeVariablesAreInEnvExample(t *testing.T) {
	_, values := loadCompose(t)
	env := loadEnvExample(t)
	seen := map[string]bool{}
	for _, v := range values {
		if bareDollar(v) {
			t.Errorf("%q has a $ that is neither ${NAME} nor $$", v)
		}
		for _, m := range varRef.FindAllStringSubmatch(strings.ReplaceAll(v, "$$", escaped), -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("found no ${VAR} at all: the file's secrets must come from .env")
	}
	for name := range seen {
		if _, ok := env.values[name]; !ok {
			t.Errorf("the compose file uses ${%s}, which .env.example does not set: `cp .env.example .env` would not be enough", name)
		}
	}
	// The file must come up from a fresh copy of .env.example with nothing else set.
	for _, v := range values {
		if _, err := interpolate(v, env.values); err != nil {
			t.Errorf("with .env.example as .env: %v", err)
		}
	}
}

// TestComposeAPIEnvironmentMatchesConfig runs the compose environment of each
// API service, interpolated with .env.example, through config.Load: every name
// must be one the API reads, Load must accept it, and the addresses and
// accounts must be the database services' own.
func TestComposeAPIEnvironmentMatchesConfig(t *testing.T) {
	cf, _ := loadCompose(t)
	env := loadEnvExample(t)
	known := apiEnvNames(t)
	dbEnv := map[string]string{}
	for k, v := range cf.Services["db-primary"].Environment {
		dbEnv[k], _ = interpolate(v, env.values)
	}
	services := apiServices(cf)
	if len(services) < 2 {
		t.Fatalf("API image runs in %v, want at least api and replication-init", services)
	}
	for _, name := range services {
		t.Run(name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range cf.Services[name].Environment {
				if !known[k] {
					t.Errorf("sets %s, which the API never reads (a typo, or a setting config.go lacks)", k)
				}
				iv, err := interpolate(v, env.values)
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				vars[k] = iv
			}
			cfg, err := config.Load(func(k string) string { return vars[k] }, "")
			if err != nil {
				t.Fatalf("config.Load rejects the compose environment: %v", err)
			}
			var got []string
			for _, c := range append([]*mysql.Config{cfg.Primary}, cfg.Replicas...) {
				got = append(got, c.Addr)
				if c.User != dbEnv["MYSQL_USER"] || c.Passwd != dbEnv["MYSQL_PASSWORD"] || c.DBName != dbEnv["MYSQL_DATABASE"] {
					t.Errorf("%s uses %s@…/%s, want the account the images create: %s@…/%s",
						c.Addr, c.User, c.DBName, dbEnv["MYSQL_USER"], dbEnv["MYSQL_DATABASE"])
				}
			}
			var want []string
			for _, n := range dbNodes {
				want = append(want, n.name+":3306")
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("database addresses (-got +want):\n%s", diff)
			}
			if cfg.DBAdminUser != "root" || cfg.DBAdminPassword != dbEnv["MYSQL_ROOT_PASSWORD"] {
				t.Errorf("admin account %q is not the images' root with MYSQL_ROOT_PASSWORD", cfg.DBAdminUser)
			}
			if cfg.ReplicationPassword == "" {
				t.Errorf("REPLICATION_PASSWORD is empty: replication setup would refuse to run")
			}
		})
	}
}

func TestEnvExampleDocumentsEveryAPISetting(t *testing.T) {
	env := loadEnvExample(t)
	for name := range apiEnvNames(t) {
		if _, set := env.values[name]; !set && !env.commented[name] {
			t.Errorf(".env.example does not mention %s, which the API reads", name)
		}
	}
}

// secretName matches variables whose values must never be written in the file.
var secretName = regexp.MustCompile(`(?i)PASSWORD|SECRET|TOKEN|_KEY$`)

// requiredRef is a value that is exactly one ${NAME:?message}: no default,
// since a default would be a secret written in the file.
var requiredRef = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}$`)

// urlPassword finds the password of a scheme://user:password@host address.
var urlPassword = regexp.MustCompile(`[a-z+]+://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]*)@`)

// literalSecret says why a compose environment entry leaks a secret, or "".
func literalSecret(key, value string) string {
	if secretName.MatchString(key) && !requiredRef.MatchString(value) {
		return key + " must be exactly ${NAME:?message}, not " + value
	}
	for _, m := range urlPassword.FindAllStringSubmatch(value, -1) {
		if !requiredRef.MatchString(m[1]) {
			return key + " has a URL whose password is not a required ${NAME:?message}: " + m[1]
		}
	}
	return ""
}

func TestLiteralSecret(t *testing.T) {
	tests := []struct {
		key, value string
		leaks      bool
	}{
		{"MYSQL_PASSWORD", "${DB_APP_PASSWORD:?set it}", false},
		{"MYSQL_PASSWORD", "hunter2", true},
		{"JWT_SECRET", "${JWT_SECRET:-dev-secret}", true},
		{"JWT_SECRET", "${JWT_SECRET}", true},
		{"DATABASE_URL", "mysql://app:${P:?x}@db:3306/d", false},
		{"DATABASE_URL", "mysql://app:hunter2@db:3306/d", true},
		{"DATABASE_REPLICA_URLS", "mysql://a:${P:?x}@r1:3306/d,mysql://a:pw@r2:3306/d", true},
		{"REDIS_URL", "redis://redis:6379/0", false},
		{"DB_ADMIN_USER", "root", false},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			if got := literalSecret(tt.key, tt.value) != ""; got != tt.leaks {
				t.Errorf("literalSecret = %v, want %v", got, tt.leaks)
			}
		})
	}
}

func TestComposeHasNoLiteralSecrets(t *testing.T) {
	cf, values := loadCompose(t)
	for name, s := range cf.Services {
		for k, v := range s.Environment {
			if why := literalSecret(k, v); why != "" {
				t.Errorf("%s: %s", name, why)
			}
		}
	}
	// And no .env.example secret appears anywhere, e.g. in a healthcheck command.
	env := loadEnvExample(t)
	for k, secret := range env.values {
		// Short values are settings whose names merely mention a secret
		// (FORGOT_PASSWORD_RATE_LIMIT=5), not secrets: "5" is in "5s".
		if !secretName.MatchString(k) || len(secret) < 8 {
			continue
		}
		for _, v := range values {
			if strings.Contains(v, secret) {
				t.Errorf("the value of %s from .env.example is written in the file: %q", k, v)
			}
		}
	}
}
