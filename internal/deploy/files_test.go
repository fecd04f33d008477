package deploy

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/teachtrack/api/internal/config"
	"gopkg.in/yaml.v3"
)

// repoFile reads a file given relative to the repository root.
func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return b
}

// composeFile is the part of docker-compose.replication.yml the checks read.
// Fields are strict about form (depends_on as a map with conditions, environment
// as a map) because the checks rely on it.
type composeFile struct {
	Version  *string            `yaml:"version"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string                `yaml:"image"`
	Build       *build                `yaml:"build"`
	Command     []string              `yaml:"command"`
	Environment map[string]string     `yaml:"environment"`
	DependsOn   map[string]dependency `yaml:"depends_on"`
	Ports       []string              `yaml:"ports"`
	Profiles    []string              `yaml:"profiles"`
	Volumes     []string              `yaml:"volumes"`
	Healthcheck *healthcheck          `yaml:"healthcheck"`
}

type build struct {
	Context string            `yaml:"context"`
	Args    map[string]string `yaml:"args"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test    []string `yaml:"test"`
	Disable bool     `yaml:"disable"`
}

const composeName = "docker-compose.replication.yml"

// loadCompose decodes the compose file (anchors and merge keys resolved) and
// returns every scalar in it as well, for checks that look at all values.
func loadCompose(t *testing.T) (composeFile, []string) {
	t.Helper()
	raw := repoFile(t, composeName)
	var cf composeFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(false)
	if err := dec.Decode(&cf); err != nil {
		t.Fatalf("%s: %v", composeName, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("%s: %v", composeName, err)
	}
	return cf, scalars(&root)
}

// scalars lists the scalar values under n; aliases are skipped because their
// anchors are visited where they are defined.
func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// envExample is .env.example: the variables it assigns, and the names it
// mentions only in commented-out assignments (documented but off by default).
type envExample struct {
	values    map[string]string
	commented map[string]bool
}

var assignment = regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)

func loadEnvExample(t *testing.T) envExample {
	t.Helper()
	e := envExample{values: map[string]string{}, commented: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(repoFile(t, ".env.example")))
	for sc.Scan() {
		m := assignment.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		switch {
		case m == nil:
		case m[1] != "":
			e.commented[m[2]] = true
		default:
			if _, dup := e.values[m[2]]; dup {
				t.Errorf(".env.example assigns %s twice", m[2])
			}
			e.values[m[2]] = m[3]
		}
	}
	return e
}

// apiEnvNames is every variable the API reads: whatever config.Load asks its
// getenv for, plus the two cmd/api reads itself. Asking Load, rather than
// keeping a list here, means a new setting is known the day it is added.
func apiEnvNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{"ENV_FILE": true, "HTTP_ADDR": true}
	getenv := func(k string) string {
		// Every NAME may come as NAME_FILE (config's secrets from files):
		// .env.example documents that once, not per variable.
		if strings.HasSuffix(k, "_FILE") && k != "ENV_FILE" {
			return ""
		}
		names[k] = true
		if k == "DATABASE_URL" {
			return "mysql://u:p@db:3306/d"
		}
		return ""
	}
	if _, err := config.Load(getenv, ""); err != nil {
		t.Fatalf("config.Load with a minimal environment: %v", err)
	}
	return names
}

// varRef is a compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default},
// ${NAME:?message}, ${NAME?message}, ${NAME:+alt}, ${NAME+alt}.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}`)

// escaped hides compose's $$ (a literal $ for the container) from varRef.
const escaped = "\x00"

// interpolate does what compose does to s with the variables in env.
func interpolate(s string, env map[string]string) (string, error) {
	var err error
	s = strings.ReplaceAll(s, "$$", escaped)
	s = varRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		v, set := env[m[1]]
		switch m[2] {
		case ":-":
			if v == "" {
				return m[3]
			}
		case "-":
			if !set {
				return m[3]
			}
		case ":?", "?":
			if v == "" && (m[2] == ":?" || !set) && err == nil {
				err = &missingVarError{name: m[1], message: m[3]}
			}
		case ":+":
			if v != "" {
				return m[3]
			}
			return ""
		case "+":
			if set {
				return m[3]
			}
			return ""
		}
		return v
	})
	return strings.ReplaceAll(s, escaped, "$"), err
}

type missingVarError struct{ name, message string }

func (e *missingVarError) Error() string { return e.name + ": " + e.message }

// bareDollar finds a $ that is neither $$ nor the start of ${...}: compose
// would interpolate $NAME too, but this project always writes ${NAME}.
func bareDollar(s string) bool {
	s = varRef.ReplaceAllString(strings.ReplaceAll(s, "$$", escaped), "")
	return strings.Contains(s, "$")
}
