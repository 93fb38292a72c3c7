package api

import (
	"container/list"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/api/ratelimit"
	"github.com/frontdesk/frontdesk/domain"
)

// Feed responses. Calendar clients poll on their own schedule and must
// revalidate every time; the secret URL is no one else's business.
const (
	feedContentType  = "text/calendar; charset=utf-8"
	feedCacheControl = "private, max-age=0, must-revalidate"
	feedCacheBytes   = 32 << 20 // rendered feeds kept in memory, at most
	feedRatePerMin   = 60       // default requests per minute per feed token
	maxFeedToken     = 128      // real tokens are 43 characters
)

// errFeedsOff is the answer when cmd did not wire the feed pieces in.
var errFeedsOff = errors.New("serve feed: Server.Feeds or RenderFeed is not set")

// feed handles GET and HEAD /feeds/{token}.ics: the subscribable calendar
// of a feed token. An unknown, revoked or malformed token is the same plain
// 404. The route does no gzip and no Accept negotiation (Outlook breaks on
// the one, Google's fetcher sends no Accept), answers 304 to a matching
// If-None-Match (which wins) or If-Modified-Since without building or
// rendering the feed when nothing in it changed, and is limited per token.
func (s *Server) feed(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer") // also on the 404
	raw, ok := feedTokenParam(c.Param("file"))
	if !ok {
		return domain.ErrNotFound
	}
	if s.Feeds == nil || s.RenderFeed == nil {
		return errFeedsOff
	}
	ctx, r := c.Request().Context(), c.Request()
	// The token is looked up before the limit so that only live tokens get
	// a bucket: random guesses cannot grow the limiter's map.
	// A conditional request reads the token and its feed's version in one
	// round trip: most polls end in a 304 right after.
	conditional := r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
	var tok domain.FeedToken
	var rows *domain.FeedVersion
	var err error
	if conditional {
		tok, rows, err = s.Feeds.TokenVersion(ctx, domain.HashToken(raw))
	} else {
		tok, err = s.Store.FeedToken(ctx, domain.HashToken(raw))
	}
	if err != nil {
		return err
	}
	if s.feedLimits != nil {
		if ok, wait := s.feedLimits.Take(tok.ID); !ok {
			return problem.TooMany(wait)
		}
	}
	if conditional {
		etag, modified, known, err := s.Feeds.CheckVersion(ctx, tok, rows)
		if err != nil {
			return err
		}
		if known && notModified(r, setFeedValidators(h, etag, modified), modified) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	f, etag, err := s.Feeds.FeedFor(ctx, tok)
	if err != nil {
		return err
	}
	if notModified(r, setFeedValidators(h, etag, f.LastModified), f.LastModified) {
		return c.NoContent(http.StatusNotModified)
	}
	body, err := s.renderFeed(f, etag)
	if err != nil {
		return err
	}
	h.Set(echo.HeaderContentType, feedContentType)
	h.Set(echo.HeaderContentDisposition, `inline; filename="`+slug(f.Name)+`.ics"`)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = c.Response().Write(body)
	return err
}

// setFeedValidators sets the headers a feed answers with, 200 or 304, and
// returns the quoted ETag.
func setFeedValidators(h http.Header, etag string, modified time.Time) string {
	quoted := `"` + etag + `"`
	h.Set("ETag", quoted)
	h.Set(echo.HeaderCacheControl, feedCacheControl)
	if modified.IsZero() {
		h.Del(echo.HeaderLastModified)
	} else {
		h.Set(echo.HeaderLastModified, modified.UTC().Format(http.TimeFormat))
	}
	return quoted
}

// feedTokenParam takes the token out of "<token>.ics".
func feedTokenParam(file string) (string, bool) {
	raw, ok := strings.CutSuffix(file, ".ics")
	return raw, ok && raw != "" && len(raw) <= maxFeedToken
}

// renderFeed returns the feed's bytes, rendered once per ETag: equal ETags
// are equal content, so polls of an unchanged feed skip the renderer.
func (s *Server) renderFeed(f domain.Feed, etag string) ([]byte, error) {
	if body, ok := s.feedCache.get(etag); ok {
		return body, nil
	}
	body, err := s.RenderFeed(f)
	if err != nil {
		return nil, err
	}
	s.feedCache.put(etag, body)
	return body, nil
}

// notModified applies RFC 9110 §13.2.2 to a GET or HEAD: If-None-Match,
// when sent, decides alone; else If-Modified-Since at or after the last
// change (HTTP dates have whole seconds) means the client is current.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.Truncate(time.Second).After(t)
}

// etagListMatches is the weak comparison If-None-Match uses: "*" or any
// listed tag, with or without W/, equal to etag.
func etagListMatches(list, etag string) bool {
	for _, tag := range strings.Split(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// slug makes a calendar's name a file name: lower-case ASCII letters and
// digits joined by single hyphens, "calendar" when nothing is left.
func slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		default:
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "calendar"
	}
	return b.String()
}

// newFeedLimits is the per-token limiter for perMinute (0 = the default;
// negative = none).
func newFeedLimits(perMinute int) *ratelimit.Set {
	if perMinute < 0 {
		return nil
	}
	if perMinute == 0 {
		perMinute = feedRatePerMin
	}
	return ratelimit.New(time.Minute/time.Duration(perMinute), perMinute)
}

// manageCalendar handles GET /api/v1/manage/{token}/calendar.ics: the
// patient's own visit to add to their calendar, with the UID and SEQUENCE
// of the invites they were emailed. A wrong token is a plain 404.
func (s *Server) manageCalendar(c echo.Context) error {
	token, err := manageToken(c)
	if err != nil {
		return err
	}
	if s.RenderVisit == nil {
		return errors.New("serve visit calendar: Server.RenderVisit is not set")
	}
	n, err := s.Scheduler.VisitNotice(c.Request().Context(), token)
	if err != nil {
		return err
	}
	body, err := s.RenderVisit(n)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="appointment.ics"`)
	return c.Blob(http.StatusOK, feedContentType, body)
}

// renderCache keeps rendered feeds by ETag, least recently used first out,
// within a budget of bytes.
type renderCache struct {
	mu      sync.Mutex
	budget  int
	size    int
	order   *list.List // of *cachedFeed, most recent at the front
	entries map[string]*list.Element
}

type cachedFeed struct {
	etag string
	body []byte
}

func newRenderCache(budget int) *renderCache {
	return &renderCache{budget: budget, order: list.New(), entries: make(map[string]*list.Element)}
}

// get returns the bytes rendered for etag, if kept.
func (rc *renderCache) get(etag string) ([]byte, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	el, ok := rc.entries[etag]
	if !ok {
		return nil, false
	}
	rc.order.MoveToFront(el)
	return el.Value.(*cachedFeed).body, true
}

// put keeps body for etag, dropping the least recently used feeds over the
// budget; a feed larger than the whole budget is not kept.
func (rc *renderCache) put(etag string, body []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.entries[etag]; ok || len(body) > rc.budget {
		return
	}
	rc.entries[etag] = rc.order.PushFront(&cachedFeed{etag: etag, body: body})
	rc.size += len(body)
	for rc.size > rc.budget {
		last := rc.order.Back()
		cf := last.Value.(*cachedFeed)
		rc.order.Remove(last)
		delete(rc.entries, cf.etag)
		rc.size -= len(cf.body)
	}
}
