package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk/frontdesk/domain"
)

// hostSite is a page of the clinic's own website on another origin (another
// loopback port) that embeds the widget.
type hostSite struct {
	Origin string
	ln     net.Listener
}

func listenHost(t *testing.T) *hostSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, "listen for the host site", err)
	return &hostSite{Origin: "http://" + ln.Addr().String(), ln: ln}
}

// serve answers every path with a blog article whose body is html.
func (h *hostSite) serve(t *testing.T, html string) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Neck pain · Clinic blog</title></head>
<body><main><h1>Massage alone won't fix your neck pain</h1><p>Book a free 15-minute case review.</p>%s<p><a href="#after">After the widget</a></p></main></body></html>`, html)
	})}
	go srv.Serve(h.ln)
	t.Cleanup(func() { srv.Close() })
}

// TestEmbedBooksACaseReview: the clinic's blog on another origin embeds the
// script; a visitor opens the overlay by keyboard, closes it with Escape
// (focus comes back), opens it again and books a case review in it. The
// booking records the source "embed", the article and its UTM parameters.
// A page on an origin that is not allowed cannot frame the booking pages,
// and the allowed one cannot frame the staff pages.
func TestEmbedBooksACaseReview(t *testing.T) {
	allowed, other := listenHost(t), listenHost(t)
	a := startApp(t, func(s *Site) { s.EmbedOrigins = []string{allowed.Origin} })
	snippet := fmt.Sprintf(`<script src="%s/embed.js" data-service="case_review" async></script>`, a.URL)
	allowed.serve(t, snippet+fmt.Sprintf(`<iframe id="staff" title="staff" src="%s/staff/login"></iframe>`, a.URL))
	other.serve(t, fmt.Sprintf(`<script src="%s/embed.js" data-service="case_review" data-mode="inline" async></script>`, a.URL))
	b := newBrowser(t)

	article := allowed.Origin + "/blog/neck-pain?utm_source=blog&utm_medium=article&utm_campaign=neck-pain&utm_content=footer"
	b.do(chromedp.Navigate(article), chromedp.WaitVisible(chromedp.CSS(".fdx-button")))
	if got := b.text(".fdx-button"); got != "Book your free case review" {
		t.Errorf("button says %q", got)
	}

	// Keyboard: Enter opens the dialog with focus on its close button;
	// Escape closes it and focus returns to the button.
	b.do(chromedp.Focus(chromedp.CSS(".fdx-button")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[role="dialog"] iframe`)))
	var dlg map[string]any
	b.eval(`(() => { const d = document.querySelector('[role="dialog"]');
		return {modal: d.getAttribute("aria-modal"), label: document.getElementById(d.getAttribute("aria-labelledby")).textContent,
			focus: document.activeElement.className, frameTitle: d.querySelector("iframe").title}; })()`, &dlg)
	if dlg["modal"] != "true" || dlg["label"] != "Book your free case review" || dlg["focus"] != "fdx-close" || dlg["frameTitle"] == "" {
		t.Errorf("dialog = %v; want aria-modal, a label, focus on the close button, a titled frame", dlg)
	}
	b.waitFrameHeight()
	b.inspectHost("20-embed-overlay")
	// Tab from the close button goes into the booking pages; Escape there
	// (the framed page tells the host) closes the dialog, and focus
	// returns to the button.
	b.do(chromedp.KeyEvent(kb.Tab))
	var focused string
	b.eval(`document.activeElement.tagName`, &focused)
	if focused != "IFRAME" {
		t.Errorf("Tab from the close button focused %s, want the booking frame", focused)
	}
	b.do(chromedp.KeyEvent(kb.Escape))
	b.waitJS(`document.querySelectorAll('[role="dialog"]').length === 0`)
	var after map[string]any
	b.eval(`({dialogs: document.querySelectorAll('[role="dialog"]').length, focus: document.activeElement.className})`, &after)
	if after["dialogs"] != 0.0 || after["focus"] != "fdx-button" {
		t.Errorf("after Escape: %v; want no dialog and focus back on the button", after)
	}
	// Shift+Tab backwards out of the dialog's start comes back into it.
	b.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[role="dialog"] iframe`)))
	b.do(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	var inside bool
	b.eval(`document.querySelector(".fdx-backdrop").contains(document.activeElement)`, &inside)
	if !inside {
		t.Errorf("Shift+Tab from the close button left the dialog")
	}
	b.do(chromedp.Click(chromedp.CSS(".fdx-close")))
	b.waitJS(`document.querySelectorAll('[role="dialog"]').length === 0`)

	// Book in the overlay.
	b.do(chromedp.Click(chromedp.CSS(".fdx-button")), chromedp.WaitVisible(chromedp.CSS(`[role="dialog"] iframe`)))
	b.inFrame(chromedp.WaitVisible, ".people a.person:not(.first)")
	b.inFrame(chromedp.Click, ".people a.person:not(.first)")
	b.inFrame(chromedp.WaitVisible, ".week a.slot")
	b.inFrame(chromedp.Click, ".weeknav a:last-of-type")
	time.Sleep(300 * time.Millisecond)
	b.inFrame(chromedp.WaitVisible, ".week a.slot")
	b.inFrame(chromedp.Click, ".week a.slot")
	b.inFrame(chromedp.WaitVisible, "#f-patient-name")
	for sel, keys := range map[string]string{"#f-patient-name": "Grace Hopper", "#f-patient-email": "grace@example.com"} {
		b.do(chromedp.SendKeys(chromedp.CSS(sel), keys, chromedp.FromNode(b.frameNode())))
	}
	for _, sel := range []string{`input[name="intake.pain_areas"][value="neck"]`, `input[name="intake.duration"][value="months"]`, `input[name="intake.tried"][value="massage"]`} {
		b.inFrame(chromedp.Click, sel)
	}
	b.inFrame(chromedp.Click, `form[action$="/details"] button[type=submit]`)
	b.inFrame(chromedp.WaitVisible, ".confirm")
	b.waitFrameHeight()
	b.inspectHost("21-embed-booked")

	list, err := a.Store.Bookings(context.Background(), domain.BookingFilter{})
	must(t, "list bookings", err)
	var got *domain.BookingDetail
	for i := range list {
		if list[i].Patient.Email == "grace@example.com" {
			got = &list[i]
		}
	}
	if got == nil {
		t.Fatalf("no booking for grace@example.com among %d", len(list))
	}
	want := domain.Attribution{Referrer: allowed.Origin + "/blog/neck-pain", UTMSource: "blog", UTMMedium: "article", UTMCampaign: "neck-pain", UTMContent: "footer"}
	if got.Source != domain.SourceEmbed || got.Attribution != want || got.ServiceID != a.Review.ID {
		t.Errorf("booking source %s, attribution %+v, service %s; want embed, %+v, the case review", got.Source, got.Attribution, got.ServiceID, want)
	}

	// The staff sign-in page refuses the allowed site's frame.
	b.mustNotRender("#staff", "main")

	// Another origin may not frame the booking pages at all.
	b.do(chromedp.Navigate(other.Origin+"/blog/neck-pain"), chromedp.WaitVisible(chromedp.CSS("iframe.fdx-frame")))
	b.mustNotRender("iframe.fdx-frame", "main")
	var height string
	b.eval(`document.querySelector("iframe.fdx-frame").style.height`, &height)
	if height != "420px" {
		t.Errorf("a refused frame reported its height: %s", height)
	}
}

// frameNode is the booking iframe of the page, as it is now.
func (b *browser) frameNode() *chromedp.Node {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("iframe.fdx-frame")))
	if err != nil || len(nodes) == 0 {
		b.t.Fatalf("no booking iframe at %s: %v", b.location(), err)
	}
	return nodes[0]
}

// inFrame runs a query action on css inside the booking iframe, retrying
// while the frame navigates.
func (b *browser) inFrame(act func(chromedp.CSS, ...chromedp.QueryOption) chromedp.Action[chromedp.Void], css string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
		err = chromedp.Do(ctx, act(chromedp.CSS(css), chromedp.FromNode(b.frameNode())))
		cancel()
		if err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("in the booking frame, %s: %v", css, err)
}

// mustNotRender checks the frame matching frameCSS shows no element css
// of Frontdesk's pages: the browser refused to frame them.
func (b *browser) mustNotRender(frameCSS, css string) {
	b.t.Helper()
	time.Sleep(time.Second)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(frameCSS)))
	cancel()
	if err != nil || len(nodes) == 0 {
		b.t.Fatalf("no frame %s: %v", frameCSS, err)
	}
	ctx, cancel = context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	if found, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(css), chromedp.FromNode(nodes[0]), chromedp.AtLeast(0))); err == nil && len(found) > 0 {
		b.t.Errorf("frame %s at %s rendered %s: framing was not refused", frameCSS, b.location(), css)
	}
}

// waitFrameHeight waits until the framed page has told the host its
// height (the frame is no longer at its first 420px).
func (b *browser) waitFrameHeight() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`(() => { const f = document.querySelector("iframe.fdx-frame");
		return f && f.style.height !== "420px" && parseInt(f.style.height) > 200; })()`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("the booking frame never reported its height: %v", err)
	}
}

// inspectHost saves the host page at phone and desktop width.
func (b *browser) inspectHost(name string) {
	b.t.Helper()
	for _, size := range []struct {
		label string
		w, h  int64
	}{{"phone", 390, 844}, {"desktop", 1366, 900}} {
		b.do(chromedp.EmulateViewport(size.w, size.h))
		time.Sleep(300 * time.Millisecond)
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		must(b.t, "screenshot", err)
		must(b.t, "save screenshot", writeFile(b.dir, name+"-"+size.label+".png", png))
	}
}

// TestEmbedScriptIsSmall keeps embed.js under 15 KB gzipped, served as
// JavaScript.
func TestEmbedScriptIsSmall(t *testing.T) {
	a := startApp(t)
	resp, err := http.Get(a.URL + "/embed.js")
	must(t, "get embed.js", err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, "read embed.js", err)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /embed.js = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(body)
	w.Close()
	if z.Len() == 0 || z.Len() > 15*1024 {
		t.Errorf("embed.js is %d bytes gzipped (%d plain), want at most 15 KB", z.Len(), len(body))
	}
	t.Logf("embed.js: %d bytes, %d gzipped", len(body), z.Len())
}

func writeFile(dir, name string, data []byte) error {
	return os.WriteFile(filepath.Join(dir, name), data, 0o644)
}
