package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, installed by scripts/test-deps.sh.
const chromiumPath = "/usr/bin/chromium"

//go:embed testdata/axe/axe.min.js
var axeSource string

// browser is one headless Chromium tab with a fresh profile, in the
// visitor's time zone (Europe/Berlin: not the clinic's).
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string // where screenshots go
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing (%v): apt-get install -y chromium (or run make test, which installs it)", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, dir: screenshotDir(t)}
	// The first run starts the browser: it must use the tab's own context,
	// as cancelling a derived one would close the tab.
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"})
		return err
	}), chromedp.EmulateViewport(1366, 900))
	if err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return b
}

// screenshotDir is $ARTIFACTS_DIR/screenshots or artifacts/screenshots at
// the module root (gitignored).
func screenshotDir(t *testing.T) string {
	dir := filepath.Join("..", "artifacts", "screenshots")
	if a := os.Getenv("ARTIFACTS_DIR"); a != "" {
		dir = filepath.Join(a, "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("make screenshot dir: %v", err)
	}
	return dir
}

// stepTimeout bounds one batch of browser steps, so a missing element
// fails fast with the page it was missing from.
const stepTimeout = 30 * time.Second

// do runs steps, failing the test with the page's URL on error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// text returns the visible text of the first element matching css.
func (b *browser) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// value returns the value of a form field.
func (b *browser) value(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", css, err)
	}
	return s
}

// location is the current URL.
func (b *browser) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return s
}

// eval runs a JS expression and decodes its (awaited) value into out.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("decode result of %.60s: %v (%s)", js, err, raw)
		}
	}
}

// mustSee fails unless the page's main text holds every want.
func (b *browser) mustSee(want ...string) {
	b.t.Helper()
	body := b.text("main")
	for _, w := range want {
		if !strings.Contains(body, w) {
			b.t.Fatalf("page %s does not say %q; it says:\n%s", b.location(), w, body)
		}
	}
}

// viewport is a named screen size for screenshots.
type viewport struct {
	label string
	w, h  int64
}

// screenshots saves the whole page at each size as name-label.png.
func (b *browser) screenshots(name string, sizes ...viewport) {
	b.t.Helper()
	for _, size := range sizes {
		b.do(chromedp.EmulateViewport(size.w, size.h))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.dir, name+"-"+size.label+".png"), png, 0o644); err != nil {
			b.t.Fatalf("save screenshot: %v", err)
		}
	}
}

// inspect saves the page at phone and desktop width, runs axe-core on it
// and weighs it.
func (b *browser) inspect(name string) {
	b.t.Helper()
	b.screenshots(name, viewport{"phone", 390, 844}, viewport{"desktop", 1366, 900})
	b.axe(name)
	b.weigh(name)
}

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs the vendored axe-core in the page; serious and critical
// violations fail the test, lesser ones are logged.
func (b *browser) axe(name string) {
	b.t.Helper()
	b.eval("(function(){"+axeSource+"\n})(); typeof axe", nil)
	var vs []axeViolation
	b.eval(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, &vs)
	for _, v := range vs {
		msg := fmt.Sprintf("axe on %s: %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
}

// weigh fails when the page's HTML, CSS and JS exceed maxPageBytes.
func (b *browser) weigh(name string) {
	b.t.Helper()
	var total int
	b.eval(`performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
		.filter(e => !e.name.endsWith(".png") && !e.name.endsWith(".jpg"))
		.reduce((n, e) => n + (e.decodedBodySize || 0), 0)`, &total)
	if total == 0 || total > maxPageBytes {
		b.t.Errorf("page %s weighs %d bytes of HTML, CSS and JS; want 1 to %d", name, total, maxPageBytes)
	}
}

// waitText waits until an element matching css holds text: after a click
// that navigates, the old page may still show an element of that kind.
func (b *browser) waitText(css, text string) {
	b.t.Helper()
	js := fmt.Sprintf(`document.readyState === "complete" && Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, css, text)
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	main, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : ""`))
	b.t.Fatalf("no %s saying %q at %s; the page says:\n%s", css, text, b.location(), main)
}
