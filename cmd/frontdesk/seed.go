package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
)

func seedCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "seed the demo clinic")
	if err := fs.Parse(args); err != nil || !*demo {
		return errUsage
	}
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	return seedDemo(ctx, store, cfg, stdout)
}

// seedDemo fills an empty database with a clinic a new user can try at once,
// and prints the admin's password once. A database that already has a
// clinic is left alone.
func seedDemo(ctx context.Context, store domain.Store, cfg config, stdout io.Writer) error {
	if _, err := store.Clinic(ctx); err == nil {
		return nil
	} else if domain.ErrorKind(err) != domain.KindNotFound {
		return fmt.Errorf("read clinic: %w", err)
	}
	from := &mail.Address{Address: "frontdesk@riverside-clinic.example"}
	if cfg.MailFrom != nil {
		from = cfg.MailFrom
	}
	clinic := domain.Clinic{
		Name:        "Riverside Chiropractic & Massage",
		TimeZone:    "America/New_York",
		Phone:       "+1 (555) 010-2030",
		Email:       domain.NormalizeEmail(from.Address),
		SenderName:  from.Name,
		Address:     "120 River Street, Suite 4, Hudson, NY 12534",
		WhatToBring: "Comfortable clothing, a list of any medication you take, and recent imaging reports if you have them.",
		Policy:      domain.DefaultPolicy,
	}
	if err := store.SaveClinic(ctx, clinic); err != nil {
		return fmt.Errorf("seed clinic: %w", err)
	}
	services, err := seedServices(ctx, store)
	if err != nil {
		return err
	}
	if err := seedPractitioners(ctx, store, services); err != nil {
		return err
	}
	password := newPassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	admin := domain.User{Email: "admin@riverside-clinic.example", Name: "Clinic Admin", Role: domain.RoleAdmin, PasswordHash: hash, Active: true}
	if err := store.CreateUser(ctx, &admin); err != nil {
		return fmt.Errorf("seed admin: %w", err)
	}
	fmt.Fprintf(stdout, "Demo clinic ready. Staff sign-in: %s / %s (shown once)\n", admin.Email, password)
	return nil
}

// seedServices creates the case review and the massage menu; it returns the
// ids by kind: "case_review" and "massage".
func seedServices(ctx context.Context, store domain.CatalogStore) (map[domain.ServiceKind][]string, error) {
	ids := map[domain.ServiceKind][]string{}
	review := domain.Service{
		Name: "Complimentary Case Review", Kind: domain.KindCaseReview, Duration: 15 * time.Minute,
		BufferAfter: 5 * time.Minute, Currency: "USD", NewPatientsOnly: true, OnlineBookable: true, Active: true,
		Color:       "#0f766e",
		Description: "A free 15-minute conversation with the chiropractor about where it hurts, for how long and what you have tried. No treatment, no obligation.",
	}
	all := []domain.Service{review}
	modalities := []struct {
		name, blurb, color string
		extra              int
	}{
		{"Swedish Massage", "Long, flowing strokes to relax muscles and calm the nervous system.", "#2563eb", 0},
		{"Deep Tissue Massage", "Slow, firm pressure for chronic tension in the deeper layers of muscle.", "#7c3aed", 1000},
		{"Trigger Point Therapy", "Focused pressure on the knots that send pain elsewhere.", "#c2410c", 1000},
		{"Myofascial Release", "Sustained gentle stretch of the fascia to restore movement.", "#be185d", 1000},
		{"Sports Massage", "Before or after training: mobility, recovery and injury care.", "#15803d", 500},
	}
	prices := map[int]int{30: 5500, 60: 9500, 90: 13500}
	for i, m := range modalities {
		for j, minutes := range []int{30, 60, 90} {
			all = append(all, domain.Service{
				Name: fmt.Sprintf("%s — %d min", m.name, minutes), Kind: domain.KindMassage,
				Duration: time.Duration(minutes) * time.Minute, BufferAfter: 10 * time.Minute,
				PriceCents: prices[minutes] + m.extra, Currency: "USD", OnlineBookable: true, Active: true,
				Color: m.color, Description: m.blurb, SortOrder: 10 + i*3 + j,
			})
		}
	}
	for i := range all {
		if err := store.CreateService(ctx, &all[i]); err != nil {
			return nil, fmt.Errorf("seed service %q: %w", all[i].Name, err)
		}
		ids[all[i].Kind] = append(ids[all[i].Kind], all[i].ID)
	}
	return ids, nil
}

// seedPractitioners creates a chiropractor and two massage therapists with
// weekly hours that have a lunch break.
func seedPractitioners(ctx context.Context, store domain.Store, services map[domain.ServiceKind][]string) error {
	people := []struct {
		p     domain.Practitioner
		days  []time.Weekday
		hours []domain.TimeRange
	}{
		{domain.Practitioner{Name: "Dr. Maya Chen", Title: "Chiropractor (DC)", Email: "maya.chen@riverside-clinic.example",
			Bio: "Twelve years of practice in spinal and sports chiropractic.", Color: "#0f766e", ServiceIDs: services[domain.KindCaseReview]},
			weekdays(time.Monday, time.Friday), []domain.TimeRange{{Start: domain.At(8, 30), End: domain.At(12, 30)}, {Start: domain.At(13, 30), End: domain.At(18, 0)}}},
		{domain.Practitioner{Name: "Jordan Rivera", Title: "Licensed Massage Therapist", Email: "jordan.rivera@riverside-clinic.example",
			Bio: "Deep tissue and sports massage for runners and climbers.", Color: "#2563eb", ServiceIDs: services[domain.KindMassage]},
			weekdays(time.Monday, time.Friday), []domain.TimeRange{{Start: domain.At(10, 0), End: domain.At(14, 0)}, {Start: domain.At(15, 0), End: domain.At(19, 0)}}},
		{domain.Practitioner{Name: "Sam Okafor", Title: "Licensed Massage Therapist", Email: "sam.okafor@riverside-clinic.example",
			Bio: "Swedish, myofascial release and trigger point therapy.", Color: "#7c3aed", ServiceIDs: services[domain.KindMassage]},
			weekdays(time.Tuesday, time.Saturday), []domain.TimeRange{{Start: domain.At(9, 0), End: domain.At(13, 0)}, {Start: domain.At(14, 0), End: domain.At(17, 0)}}},
	}
	for _, x := range people {
		x.p.TimeZone, x.p.Active = "America/New_York", true
		if err := store.CreatePractitioner(ctx, &x.p); err != nil {
			return fmt.Errorf("seed practitioner %q: %w", x.p.Name, err)
		}
		var hours []domain.WorkingHours
		for _, d := range x.days {
			for _, r := range x.hours {
				hours = append(hours, domain.WorkingHours{PractitionerID: x.p.ID, Weekday: d, Range: r})
			}
		}
		if err := store.SetWorkingHours(ctx, x.p.ID, hours); err != nil {
			return fmt.Errorf("seed hours of %q: %w", x.p.Name, err)
		}
	}
	return nil
}

func weekdays(from, to time.Weekday) []time.Weekday {
	var days []time.Weekday
	for d := from; d <= to; d++ {
		days = append(days, d)
	}
	return days
}

// newPassword returns 20 random characters, easy to type from a terminal.
func newPassword() string {
	var b [13]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}
