//go:build browser

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"gopkg.in/yaml.v3"

	"github.com/teachtrack/api/api"
)

// TestDocsInBrowser loads /docs of `api serve` in headless Chromium: every
// operation of the spec is listed, "Try it out" → Execute on GET /healthz
// shows a 200, and the page fetched nothing from any other host (it must work
// offline). It saves docs/screenshot.png for the README. Run by
// `make test-browser`, and by `make test` when Chromium is installed.
func TestDocsInBrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (make test-browser installs Debian's chromium): %v", chromium, err)
	}
	s := startServer(t, newDB(t))
	s.waitReady(t)
	base := "http://" + s.addr

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(profileDir(t)),
		chromedp.WindowSize(1280, 1000),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var foreign []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err != nil || (u.Scheme != "data" && u.Host != s.addr) {
				mu.Lock()
				foreign = append(foreign, e.Request.URL)
				mu.Unlock()
			}
		}
	})

	// Swagger UI renders the ~170 operations progressively: list them once all are there.
	want := specOperations(t)
	var listed []string
	var status, body string
	var shot []byte
	err := chromedp.Run(ctx,
		network.Enable(),
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(`.opblock`, chromedp.ByQuery),
		chromedp.Poll(fmt.Sprintf(`document.querySelectorAll('.opblock').length >= %d`, len(want)), nil,
			chromedp.WithPollingTimeout(3*time.Minute)),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('.opblock')).map(b =>
			b.querySelector('.opblock-summary-method').textContent + ' ' +
			b.querySelector('.opblock-summary-path').getAttribute('data-path'))`, &listed),
		// Open GET /healthz, press "Try it out", then "Execute".
		chromedp.Click(`#operations-operations-getHealthz .opblock-summary-control`, chromedp.ByQuery),
		chromedp.WaitVisible(`#operations-operations-getHealthz .try-out__btn`, chromedp.ByQuery),
		chromedp.Click(`#operations-operations-getHealthz .try-out__btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#operations-operations-getHealthz .execute`, chromedp.ByQuery),
		chromedp.Click(`#operations-operations-getHealthz .execute`, chromedp.ByQuery),
		chromedp.WaitVisible(`#operations-operations-getHealthz .live-responses-table tr.response .response-col_status`, chromedp.ByQuery),
		chromedp.Text(`#operations-operations-getHealthz .live-responses-table tr.response .response-col_status`, &status, chromedp.ByQuery),
		chromedp.Text(`#operations-operations-getHealthz .live-responses-table .microlight`, &body, chromedp.ByQuery),
		// The schemas section below the operations only makes the picture taller.
		chromedp.Evaluate(`document.querySelector('.swagger-ui .models').style.display = 'none'`, nil),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatalf("driving Chromium: %v (listed so far: %v)", err, listed)
	}

	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("the page lists %d operations, the spec has %d:\npage: %v\nspec: %v", len(listed), len(want), listed, want)
	}
	if strings.TrimSpace(status) != "200" || !strings.Contains(body, `"status": "ok"`) {
		t.Errorf("Try it out on GET /healthz showed status %q, body %q; want 200 and status ok", status, body)
	}
	mu.Lock()
	if len(foreign) > 0 {
		t.Errorf("the page fetched from other hosts (it must work offline): %v", foreign)
	}
	mu.Unlock()

	// make test-browser keeps the picture for the README (SCREENSHOT); make
	// test only looks, so a test run leaves the work tree as it was.
	path := os.Getenv("SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "screenshot.png")
	} else if !filepath.IsAbs(path) {
		path = filepath.Join("..", "..", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s (%d bytes); %d operations listed", path, len(shot), len(listed))
}

// specOperations lists the spec's operations as Swagger UI shows them:
// "METHOD /path", sorted.
func specOperations(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.Spec(), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// profileDir is a fresh Chromium profile. Not t.TempDir: Chromium's helper
// processes can still write there for a moment after the browser exits, which
// made TempDir's strict cleanup fail the test; this one is removed patiently.
func profileDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tt-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20; i++ {
			if err := os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("left %s behind: Chromium was still writing to it", dir)
	})
	return dir
}
