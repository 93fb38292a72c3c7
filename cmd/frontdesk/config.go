package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/web"
)

// config is everything read from the environment. Each bad value stops
// start-up with a message that names the variable.
type config struct {
	Addr            string        // ADDR, default ":8080"
	DatabaseURL     string        // DATABASE_URL, default SQLite under DataDir
	DataDir         string        // DATA_DIR, default "./data"
	BaseURL         string        // BASE_URL, default http://localhost:<port>
	SMTPURL         string        // SMTP_URL, "" writes .eml files under DataDir/mail
	MailFrom        *mail.Address // MAIL_FROM, the clinic's sender (its name, if given, too); overrides the stored one
	PublicRateLimit int           // PUBLIC_RATE_LIMIT per minute per client address; 0 = off
	FeedRateLimit   int           // FEED_RATE_LIMIT per minute per feed link, default 60; 0 = off
	// CATALOG_CACHE_TTL: how long a replica keeps the clinic's settings,
	// services, practitioners and hours before reading them again (default
	// storage.DefaultCatalogTTL); 0 reads them on every request.
	CatalogTTL time.Duration
	// TRUSTED_PROXIES: CIDRs of the reverse proxies whose forwarding
	// headers are believed; default none.
	TrustedProxies []netip.Prefix
	// METRICS_ADDR: a listener of its own for /metrics (e.g. 127.0.0.1:9090);
	// METRICS_TOKEN: the bearer token /metrics wants. With neither, /metrics
	// is not served.
	MetricsAddr  string
	MetricsToken string
	// EMBED_ORIGINS: the sites allowed to frame the booking pages.
	EmbedOrigins []string
	LogLevel     slog.Level
	LogJSON      bool
	// WAITLIST_OFFER_MINUTES: how long a waitlist offer holds its time
	// for one patient (default 30).
	WaitlistOfferFor time.Duration
	// HOLD_MINUTES: how long choosing a time holds it for the patient
	// (default 10).
	HoldFor time.Duration
	Busy    busyConfig    // BUSY_POLL_INTERVAL, BUSY_FETCH_ALLOW, BUSY_URL_KEY (busy.go)
	Inbound inboundConfig // INBOUND_*: see inbound.go
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Addr:            envOr(getenv, "ADDR", ":8080"),
		DataDir:         envOr(getenv, "DATA_DIR", "./data"),
		DatabaseURL:     getenv("DATABASE_URL"),
		SMTPURL:         getenv("SMTP_URL"),
		PublicRateLimit: 30,
		FeedRateLimit:   60,
		CatalogTTL:      storage.DefaultCatalogTTL,
		LogJSON:         getenv("LOG_FORMAT") == "json",
	}
	if _, port, err := net.SplitHostPort(cfg.Addr); err != nil || port == "" {
		return cfg, fmt.Errorf("ADDR=%q: want host:port such as :8080", cfg.Addr)
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = filepath.Join(cfg.DataDir, "frontdesk.db")
	}
	if err := checkBaseURL(&cfg, getenv("BASE_URL")); err != nil {
		return cfg, err
	}
	if v := getenv("MAIL_FROM"); v != "" {
		a, err := mail.ParseAddress(v)
		if err != nil || strings.ContainsAny(a.Name, "\r\n") || len(a.Name) > 200 {
			return cfg, fmt.Errorf("MAIL_FROM=%q: want an address such as desk@clinic.example or Riverside Clinic <desk@clinic.example>", v)
		}
		cfg.MailFrom = a
	}
	if cfg.SMTPURL != "" {
		if u, err := url.Parse(cfg.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return cfg, fmt.Errorf("SMTP_URL: want smtp://user:pass@host:port or smtps://…")
		}
	}
	offerFor, err := parseMinutes("WAITLIST_OFFER_MINUTES", getenv("WAITLIST_OFFER_MINUTES"), domain.DefaultOfferFor, 24*60)
	if err != nil {
		return cfg, err
	}
	cfg.WaitlistOfferFor = offerFor
	if cfg.HoldFor, err = parseMinutes("HOLD_MINUTES", getenv("HOLD_MINUTES"), domain.DefaultHoldDuration, 60); err != nil {
		return cfg, err
	}
	if v := getenv("PUBLIC_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return cfg, fmt.Errorf("PUBLIC_RATE_LIMIT=%q: want a whole number of requests per minute, 0 for no limit", v)
		}
		cfg.PublicRateLimit = n
	}
	if v := getenv("FEED_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return cfg, fmt.Errorf("FEED_RATE_LIMIT=%q: want a whole number of requests per minute per feed link, 0 for no limit", v)
		}
		cfg.FeedRateLimit = n
	}
	if v := getenv("CATALOG_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if v == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 || d > time.Hour {
			return cfg, fmt.Errorf("CATALOG_CACHE_TTL=%q: want a duration such as 1s or 500ms (at most 1h), 0 to read on every request", v)
		}
		cfg.CatalogTTL = d
	}
	if err := loadBusyConfig(&cfg.Busy, getenv); err != nil {
		return cfg, err
	}
	if v := getenv("TRUSTED_PROXIES"); v != "" {
		p, err := api.ParseTrustedProxies(v)
		if err != nil {
			return cfg, fmt.Errorf("TRUSTED_PROXIES: %w", err)
		}
		cfg.TrustedProxies = p
	}
	cfg.MetricsAddr, cfg.MetricsToken = getenv("METRICS_ADDR"), getenv("METRICS_TOKEN")
	if cfg.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(cfg.MetricsAddr); err != nil || port == "" {
			return cfg, fmt.Errorf("METRICS_ADDR=%q: want host:port such as 127.0.0.1:9090", cfg.MetricsAddr)
		}
	}
	if cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16 {
		return cfg, fmt.Errorf("METRICS_TOKEN: want at least 16 characters")
	}
	origins, err := web.ParseOrigins(getenv("EMBED_ORIGINS"))
	if err != nil {
		return cfg, fmt.Errorf("EMBED_ORIGINS: %w", err)
	}
	cfg.EmbedOrigins = origins
	inb, err := loadInboundConfig(getenv)
	if err != nil {
		return cfg, err
	}
	cfg.Inbound = inb
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return cfg, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	return cfg, nil
}

func checkBaseURL(cfg *config, v string) error {
	if v == "" {
		_, port, _ := net.SplitHostPort(cfg.Addr)
		cfg.BaseURL = "http://localhost:" + port
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("BASE_URL=%q: want the public origin such as https://clinic.example", v)
	}
	cfg.BaseURL = strings.TrimSuffix(v, "/")
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func (c config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// mailDir is where .eml files go when no SMTP server is configured.
func (c config) mailDir() string { return filepath.Join(c.DataDir, "mail") }

// feedRateLimit is FeedRateLimit as api.Server takes it: negative for off.
func (c config) feedRateLimit() int {
	if c.FeedRateLimit == 0 {
		return -1
	}
	return c.FeedRateLimit
}
