package deploy

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// exposedPort is the Dockerfile's EXPOSE, which compose must publish.
func exposedPort(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^EXPOSE\s+(\d+)\s*$`).FindSubmatch(repoFile(t, "Dockerfile"))
	if m == nil {
		t.Fatal("Dockerfile has no EXPOSE <port>")
	}
	return string(m[1])
}

// goVersion splits "1.26.0" or "1.26" into numbers.
func goVersion(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("Go version %q: %v", s, err)
		}
		out = append(out, n)
	}
	return out
}

func TestDockerfileGoVersionMatchesGoMod(t *testing.T) {
	m := regexp.MustCompile(`(?m)^go\s+(\d+\.\d+(?:\.\d+)?)\s*$`).FindSubmatch(repoFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	mod := goVersion(t, string(m[1]))
	b := regexp.MustCompile(`(?m)^FROM\s+golang:(\d+\.\d+(?:\.\d+)?)\S*\s+AS\s+\S+`).FindSubmatch(repoFile(t, "Dockerfile"))
	if b == nil {
		t.Fatal("Dockerfile has no `FROM golang:<version>… AS <stage>` builder")
	}
	img := goVersion(t, string(b[1]))
	// golang:1.26 is the newest 1.26.x; a pinned patch must not be older than go.mod's.
	if img[0] != mod[0] || img[1] != mod[1] || (len(img) == 3 && len(mod) == 3 && img[2] < mod[2]) {
		t.Errorf("builder is golang:%s but go.mod says go %s", b[1], m[1])
	}
}

func TestDockerfile(t *testing.T) {
	df := string(repoFile(t, "Dockerfile"))
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, found %d FROM lines", len(stages))
	}
	if runtime := stages[len(stages)-1][1]; !strings.HasPrefix(runtime, "gcr.io/distroless/static") {
		t.Errorf("runtime image is %s, want distroless static (the binary needs no libc)", runtime)
	}
	tests := []struct {
		name string
		re   string
	}{
		{"static binary", `CGO_ENABLED=0 .*go build`},
		{"version injected", `-X main\.version=\$\{?VERSION\}?`},
		{"version build argument", `(?m)^ARG VERSION`},
		{"non-root user", `(?m)^USER (nonroot|[1-9][0-9]*)(:[^0\s]\S*)?\s*$`},
		{"port 8080", `(?m)^EXPOSE 8080\s*$`},
		{"health check by the binary", `(?m)^HEALTHCHECK .*CMD \["/api", "healthcheck"\]`},
		// docker-compose.replication.yml and the README run `/api replication …`.
		{"binary at /api", `(?m)^ENTRYPOINT \["/api"\]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(tt.re).MatchString(df) {
				t.Errorf("Dockerfile does not match %s", tt.re)
			}
		})
	}
}

func TestDockerignore(t *testing.T) {
	lines := map[string]bool{}
	for _, l := range strings.Split(string(repoFile(t, ".dockerignore")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines[strings.TrimSuffix(l, "/")] = true
		}
	}
	for _, want := range []string{".devdb", ".env", "**/testdata"} {
		if !lines[want] {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
	// What the build needs must stay in the context (migrations are embedded).
	for _, need := range []string{"go.mod", "go.sum", "cmd", "internal", "migrations", "*.go", "*.sql", "*"} {
		if lines[need] {
			t.Errorf(".dockerignore excludes %s, which the build needs", need)
		}
	}
}
