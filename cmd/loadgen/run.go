package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// errUnexpected is returned, after the report, when some answer was not one
// the generator expects (anything but 2xx/304 and the contended 409s).
var errUnexpected = errors.New("unexpected answers")

// runState is what every client shares during a run.
type runState struct {
	cfg       runConfig
	t         *targets
	cat       catalog
	browse    []serviceInfo // services availability queries pick from
	pool      *pool
	ledger    *ledger
	contended []slot
	wins      []atomic.Int32 // 201s per contended slot; more than one is a double booking
	window    time.Duration  // how long each contended slot is the one fought over
	feedPaths []string       // one per simulated calendar subscriber
	etag      atomic.Value   // string: the feed's latest ETag
	runID     string
	start     time.Time
}

// runLoad prepares, sends the load, prints the report and, if asked,
// checks the database.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseRun(args)
	if err != nil {
		return err
	}
	st, err := prepare(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	poolStart := st.poolSize()
	fmt.Fprintf(stderr, "loadgen: load starts: %d clients for %s\n", cfg.clients, cfg.duration)
	rec, elapsed := st.drive(ctx)
	rep := st.report(rec, elapsed, poolStart)
	if cfg.record != "" {
		if err := writeRecord(cfg.record, st.ledger.list()); err != nil {
			return err
		}
	}
	if cfg.checkDSN != "" {
		res, err := check(ctx, checkConfig{dsn: cfg.checkDSN, sinkURL: cfg.sinkURL, drain: cfg.drain, accepted: st.ledger.list()})
		if err != nil {
			return err
		}
		rep.Check = &res
	}
	if err := rep.write(stdout, cfg.json); err != nil {
		return err
	}
	if rep.Check != nil && !rep.Check.OK {
		return errCheckFailed
	}
	if rep.Unexpected > 0 && !cfg.allowErrors {
		return fmt.Errorf("%w: %d", errUnexpected, rep.Unexpected)
	}
	return nil
}

// prepare discovers the clinic, signs in for a feed token, and reserves
// free slots to book.
func prepare(ctx context.Context, cfg runConfig, stderr io.Writer) (*runState, error) {
	t, err := newTargets(cfg.bases, cfg.clients)
	if err != nil {
		return nil, err
	}
	st := &runState{cfg: cfg, t: t, ledger: newLedger(), runID: randomHex(4)}
	if st.cat, err = fetchCatalog(ctx, t); err != nil {
		return nil, err
	}
	if st.browse, err = cfg.browseServices(st.cat); err != nil {
		return nil, err
	}
	if cfg.needsStaff() {
		if err := st.prepareFeed(ctx); err != nil {
			return nil, err
		}
	}
	if cfg.needsSlots() {
		if err := st.prepareSlots(ctx, stderr); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *runState) prepareFeed(ctx context.Context) error {
	token, err := login(ctx, st.t, st.cfg.token, st.cfg.email, st.cfg.password)
	if err != nil {
		return err
	}
	st.t.token = token
	practitioner := ""
	if st.cfg.feedScope == "practitioner" {
		practitioner = st.cat.firstClinicPractitioner().ID
	}
	for range st.cfg.feedTokens {
		path, err := createFeedToken(ctx, st.t, practitioner)
		if err != nil {
			return err
		}
		st.feedPaths = append(st.feedPaths, path)
	}
	st.t.token = "" // the load itself is anonymous, as patients and calendar apps are
	r := st.t.do(ctx, 0, "GET", st.feedPaths[0], nil, nil)
	if r.err != nil || r.status != 200 {
		return fmt.Errorf("first feed fetch: status %d: %v %s", r.status, r.err, snippet(r.body))
	}
	st.etag.Store(r.header.Get("ETag"))
	return nil
}

func (st *runState) prepareSlots(ctx context.Context, stderr io.Writer) error {
	slots, err := freeSlots(ctx, st.t, st.cat, st.cfg.lead, st.cfg.seed)
	if err != nil {
		return err
	}
	rng := mrand.New(mrand.NewPCG(st.cfg.seed, 2))
	st.pool = newPool(slots, rng)
	if st.cfg.mix.has(opContendedBook) {
		for range st.cfg.contendedSlots {
			s, ok := st.pool.take(rng)
			if !ok {
				break
			}
			st.contended = append(st.contended, s)
		}
		if len(st.contended) == 0 {
			return errors.New("no free slot left to contend for: add practitioners with `loadgen setup`")
		}
		st.wins = make([]atomic.Int32, len(st.contended))
		st.window = max(st.cfg.duration/time.Duration(len(st.contended)), 100*time.Millisecond)
	}
	fmt.Fprintf(stderr, "loadgen: %d free slots to book, %d contended\n", st.pool.size(), len(st.contended))
	if st.pool.size() == 0 && st.cfg.mix.has(opBook) {
		return errors.New("no free slot to book: add practitioners with `loadgen setup`")
	}
	return nil
}

func (st *runState) poolSize() int {
	if st.pool == nil {
		return 0
	}
	return st.pool.size()
}

// drive runs the clients until the duration is over and merges what they saw.
func (st *runState) drive(ctx context.Context) (*recorder, time.Duration) {
	deadline := time.Now().Add(st.cfg.duration)
	st.start = time.Now()
	recs := make([]*recorder, st.cfg.clients)
	var wg sync.WaitGroup
	for i := range st.cfg.clients {
		recs[i] = newRecorder()
		c := &client{st: st, id: i, rec: recs[i], rng: mrand.New(mrand.NewPCG(st.cfg.seed, uint64(i)+100))}
		wg.Go(func() { c.loop(ctx, deadline) })
	}
	wg.Wait()
	elapsed := time.Since(st.start)
	all := newRecorder()
	for _, r := range recs {
		all.merge(r)
	}
	return all, elapsed
}

func writeRecord(path string, accepted []acceptedBooking) error {
	b, err := json.MarshalIndent(accepted, "", " ")
	if err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	return nil
}

func readRecord(path string) ([]acceptedBooking, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	var out []acceptedBooking
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode record %s: %w", path, err)
	}
	return out, nil
}

// randomHex returns n random bytes in hex, for idempotency keys and run ids.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on a broken source)
	return hex.EncodeToString(b)
}
