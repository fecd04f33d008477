//go:build browser

package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"gopkg.in/yaml.v3"

	"github.com/teachtrack/api/api"
)

// TestDocsInBrowser loads /docs of `api serve` in headless Chromium: every
// operation of the spec is listed, "Try it out" → Execute on GET /healthz
// shows a 200, and the page fetched nothing from any other host (it must work
// offline). It saves docs/screenshot.png for the README. Run by
// `make test-browser` and by `make test` (both install Chromium when missing).
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

	// From 150 tags and operations on, Swagger UI virtualises the list: only
	// what is near the viewport is in the DOM. So the test does what a reader
	// does: a deep link opens GET /healthz, then it scrolls the whole page and
	// records every operation that comes into view.
	want := specOperations(t)
	var listed []string
	var status, body string
	var shot []byte
	healthz := `#operations-operations-getHealthz`
	err := chromedp.Run(ctx,
		network.Enable(),
		chromedp.Navigate(base+"/docs#/operations/getHealthz"),
		chromedp.WaitVisible(healthz+` .try-out__btn`, chromedp.ByQuery),
		chromedp.Click(healthz+` .try-out__btn`, chromedp.ByQuery),
		chromedp.WaitVisible(healthz+` .execute`, chromedp.ByQuery),
		chromedp.Click(healthz+` .execute`, chromedp.ByQuery),
		chromedp.WaitVisible(healthz+` .live-responses-table tr.response .response-col_status`, chromedp.ByQuery),
		chromedp.Text(healthz+` .live-responses-table tr.response .response-col_status`, &status, chromedp.ByQuery),
		chromedp.Text(healthz+` .live-responses-table .microlight`, &body, chromedp.ByQuery),
		chromedp.Evaluate(scrollAndList, &listed, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}),
		chromedp.CaptureScreenshot(&shot),
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

// scrollAndList scrolls /docs from the top to the bottom half a screen at a
// time, collecting "METHOD /path" of every operation block that renders, and
// returns to the top for the screenshot.
const scrollAndList = `(async () => {
	const seen = new Set();
	const collect = () => document.querySelectorAll('.opblock').forEach(b =>
		seen.add(b.querySelector('.opblock-summary-method').textContent + ' ' +
			b.querySelector('.opblock-summary-path').getAttribute('data-path')));
	const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
	window.scrollTo(0, 0);
	await frame();
	for (let still = 0, i = 0; still < 5 && i < 5000; i++) {
		collect();
		const before = window.scrollY;
		window.scrollBy(0, Math.max(200, window.innerHeight / 2));
		await frame();
		still = window.scrollY === before ? still + 1 : 0;
	}
	collect();
	window.scrollTo(0, 0);
	await frame();
	return Array.from(seen);
})()`

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
