package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The operations a client chooses from, and the names -mix uses for them.
const (
	opAvailability    = "availability"
	opBook            = "book"
	opContendedBook   = "contended-book"
	opReschedule      = "reschedule"
	opCancel          = "cancel"
	opFeed            = "feed"
	opFeedConditional = "feed-conditional"
)

var allOps = []string{opAvailability, opBook, opContendedBook, opReschedule, opCancel, opFeed, opFeedConditional}

// defaultMix is a clinic's day: mostly patients looking, fewer booking,
// calendar apps polling feeds, mostly with a validator.
const defaultMix = "availability=40,book=15,contended-book=5,reschedule=5,cancel=5,feed=5,feed-conditional=25"

// mix holds the weight of every operation.
type mix struct {
	ops     []string
	weights []int
	total   int
}

// parseMix reads "name=weight,…"; names are those of allOps, weights are
// non-negative integers, at least one positive.
func parseMix(s string) (mix, error) {
	var m mix
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return m, fmt.Errorf("-mix: %q is not name=weight", part)
		}
		if !validOp(name) {
			return m, fmt.Errorf("-mix: unknown operation %q (want one of %s)", name, strings.Join(allOps, ", "))
		}
		if seen[name] {
			return m, fmt.Errorf("-mix: %q given twice", name)
		}
		seen[name] = true
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 1_000_000 {
			return m, fmt.Errorf("-mix: weight of %q must be an integer from 0 to 1000000, got %q", name, w)
		}
		if n > 0 {
			m.ops, m.weights, m.total = append(m.ops, name), append(m.weights, n), m.total+n
		}
	}
	if m.total == 0 {
		return m, fmt.Errorf("-mix: give at least one operation a positive weight")
	}
	return m, nil
}

func validOp(name string) bool {
	for _, op := range allOps {
		if op == name {
			return true
		}
	}
	return false
}

// has reports whether op has a positive weight.
func (m mix) has(op string) bool {
	for _, o := range m.ops {
		if o == op {
			return true
		}
	}
	return false
}

// pick draws an operation with probability weight/total.
func (m mix) pick(r *rand.Rand) string {
	n := r.IntN(m.total)
	for i, w := range m.weights {
		if n < w {
			return m.ops[i]
		}
		n -= w
	}
	return m.ops[len(m.ops)-1]
}

// String gives the mix back in parseMix's form.
func (m mix) String() string {
	parts := make([]string, len(m.ops))
	for i := range m.ops {
		parts[i] = m.ops[i] + "=" + strconv.Itoa(m.weights[i])
	}
	return strings.Join(parts, ",")
}
