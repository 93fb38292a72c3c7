package inbound_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/inbound"
)

// Tuesday 4 March 2031, 10:00 in New York: 26 hours ahead, outside the
// 24-hour cancellation cut-off.
var (
	outsideCutoff = time.Date(2031, 3, 4, 15, 0, 0, 0, time.UTC)
	insideCutoff  = time.Date(2031, 3, 3, 20, 0, 0, 0, time.UTC) // Monday 15:00, 7 hours ahead
)

// invited books a visit at start and returns it with the UID of the invite
// the patient received at the mailbox.
func (e *env) invited(start time.Time) domain.BookingDetail {
	e.t.Helper()
	b := e.book(start)
	got := e.box.to(patientEmail)
	if len(got) == 0 {
		e.t.Fatal("no invite reached the patient's mailbox")
	}
	inv := inbound.Read(got[len(got)-1].Data, "")
	if inv.Calendar == nil || inv.Calendar.Method != "REQUEST" {
		e.t.Fatalf("the confirmation carries no REQUEST invite: %+v", inv)
	}
	if inv.Calendar.UID != b.Booking.UID {
		e.t.Fatalf("invite UID = %s, booking UID = %s", inv.Calendar.UID, b.Booking.UID)
	}
	d := e.booking(b.Booking.ID)
	d.UID = inv.Calendar.UID
	return d
}

// answer is the reply a client sends to the invite of d.
func answer(d domain.BookingDetail, partstat, subject string) reply {
	return reply{UID: d.UID, Seq: d.Sequence, PartStat: partstat, Subject: subject + ": Massage 60 with Sam Rivera",
		Text: "Jane Doe has " + strings.ToLower(partstat) + " this invitation.", Start: d.Start, End: d.End}
}

func TestDeclineOutsideCutoffCancels(t *testing.T) {
	for _, client := range []string{"gmail_reply", "outlook_reply", "apple_reply"} {
		t.Run(client, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *env) {
				d := e.invited(outsideCutoff)
				before := len(e.box.to(patientEmail))
				raw := e.sign(patientDomain, render(t, client, answer(d, "DECLINED", "Declined")))
				if err := e.send(patientEmail, raw); err != nil {
					t.Fatalf("SMTP to the inbound listener: %v", err)
				}
				m := e.last()
				if m.Kind != domain.InboundReply || m.State != domain.InboundApplied || m.BookingID != d.ID {
					t.Fatalf("inbound = %s/%s booking %s (%s), want reply/applied for %s", m.Kind, m.State, m.BookingID, m.Detail, d.ID)
				}
				got := e.booking(d.ID)
				if got.Status != domain.StatusCancelled || got.AttendeeStatus != domain.AttendeeDeclined {
					t.Fatalf("booking = %s/%s, want cancelled/declined", got.Status, got.AttendeeStatus)
				}
				e.deliver()
				mails := e.box.to(patientEmail)
				if len(mails) != before+1 {
					t.Fatalf("patient got %d emails after the decline, want 1", len(mails)-before)
				}
				c := inbound.Read(mails[len(mails)-1].Data, "")
				if c.Calendar == nil || c.Calendar.Method != "CANCEL" || c.Calendar.UID != d.UID || c.Calendar.Sequence != d.Sequence+1 {
					t.Fatalf("cancellation email calendar = %+v, want CANCEL of %s with SEQUENCE %d", c.Calendar, d.UID, d.Sequence+1)
				}
			})
		})
	}
}

func TestAcceptAndTentativeAreRecorded(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(outsideCutoff)
		for _, c := range []struct {
			partstat, client string
			want             domain.AttendeeStatus
		}{
			{"ACCEPTED", "gmail_reply", domain.AttendeeAccepted},
			{"TENTATIVE", "outlook_reply", domain.AttendeeTentative},
			{"ACCEPTED", "apple_reply", domain.AttendeeAccepted},
		} {
			raw := e.sign(patientDomain, render(t, c.client, answer(d, c.partstat, "Accepted")))
			if err := e.send(patientEmail, raw); err != nil {
				t.Fatal(err)
			}
			if m := e.last(); m.State != domain.InboundApplied {
				t.Fatalf("%s by %s: state %s (%s), want applied", c.partstat, c.client, m.State, m.Detail)
			}
			got := e.booking(d.ID)
			if got.AttendeeStatus != c.want || got.Status != domain.StatusConfirmed {
				t.Fatalf("%s: booking %s/%s, want confirmed/%s", c.partstat, got.Status, got.AttendeeStatus, c.want)
			}
		}
	})
}

func TestDeclineInsideCutoffAlertsFrontDesk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(insideCutoff)
		raw := e.sign(patientDomain, render(t, "outlook_reply", answer(d, "DECLINED", "Declined")))
		if err := e.send(patientEmail, raw); err != nil {
			t.Fatal(err)
		}
		if m := e.last(); m.State != domain.InboundRefused {
			t.Fatalf("state %s (%s), want refused", m.State, m.Detail)
		}
		got := e.booking(d.ID)
		if got.Status != domain.StatusConfirmed || got.AttendeeStatus != domain.AttendeeDeclined {
			t.Fatalf("booking = %s/%s, want confirmed (inside the cut-off) and declined", got.Status, got.AttendeeStatus)
		}
		e.deliver()
		patient := e.box.to(patientEmail)
		last := string(patient[len(patient)-1].Data)
		if !strings.Contains(last, "Still booked, please call us") || !strings.Contains(last, "+1 212 555 0100") {
			t.Fatalf("the patient's answer does not ask them to call:\n%s", last)
		}
		desk := e.box.to("clinic@example.com")
		if len(desk) != 1 || !strings.Contains(string(desk[0].Data), "Please call Jane Doe") {
			t.Fatalf("front desk got %d alerts, want 1 saying to call the patient", len(desk))
		}
		// Pressing "No" again changes nothing and mails nobody.
		again := e.sign(patientDomain, render(t, "gmail_reply", answer(d, "DECLINED", "Declined")))
		if err := e.send(patientEmail, again); err != nil {
			t.Fatal(err)
		}
		e.deliver()
		if m := e.last(); m.State != domain.InboundUnchanged {
			t.Fatalf("second decline: state %s, want unchanged", m.State)
		}
		if n := len(e.box.to("clinic@example.com")); n != 1 {
			t.Fatalf("front desk alerts after the second decline = %d, want still 1", n)
		}
	})
}

func TestCounterBecomesProposal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(outsideCutoff)
		proposed := d.Start.Add(2 * time.Hour) // Tuesday 12:00 → 11:00–12:00 is free
		proposed = d.Start.Add(time.Hour + 15*time.Minute)
		r := answer(d, "TENTATIVE", "New Time Proposed")
		r.Method, r.Start, r.End, r.Comment = "COUNTER", proposed, proposed.Add(time.Hour), "Could we make it a little later?"
		if err := e.send(patientEmail, e.sign(patientDomain, render(t, "outlook_reply", r))); err != nil {
			t.Fatal(err)
		}
		m := e.last()
		if m.Kind != domain.InboundCounter || m.State != domain.InboundProposal || !m.ProposedStart.Equal(proposed) {
			t.Fatalf("inbound = %s/%s at %v (%s), want counter/proposal at %v", m.Kind, m.State, m.ProposedStart, m.Detail, proposed)
		}
		if got := e.booking(d.ID); !got.Start.Equal(d.Start) {
			t.Fatalf("a proposal moved the booking to %v by itself", got.Start)
		}
		desk := domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}
		if _, _, err := e.inbox.AcceptProposal(context.Background(), domain.ActorPatient, m.ID); domain.ErrorKind(err) != domain.KindForbidden {
			t.Fatalf("AcceptProposal by a patient: %v, want forbidden", err)
		}
		answered, moved, err := e.inbox.AcceptProposal(context.Background(), desk, m.ID)
		if err != nil {
			t.Fatalf("AcceptProposal: %v", err)
		}
		if answered.State != domain.InboundProposalAccepted || !moved.Start.Equal(proposed) || moved.Sequence != d.Sequence+1 {
			t.Fatalf("accepted = %s, booking at %v seq %d; want proposal_accepted at %v seq %d",
				answered.State, moved.Start, moved.Sequence, proposed, d.Sequence+1)
		}
		if _, err := e.inbox.DeclineProposal(context.Background(), desk, m.ID); domain.ErrorKind(err) != domain.KindConflict {
			t.Fatalf("DeclineProposal after accepting: %v, want conflict", err)
		}
	})
}

func TestForgedRepliesChangeNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(outsideCutoff)
		e.addKey("attacker.example")
		decline := answer(d, "DECLINED", "Declined")
		unsigned := render(t, "gmail_reply", decline)
		tampered := e.sign(patientDomain, render(t, "gmail_reply", answer(d, "ACCEPTED", "Accepted")))
		tampered = []byte(strings.Replace(string(tampered), "PARTSTAT=ACCEPTED", "PARTSTAT=DECLINED", 1))
		wrongFrom := decline
		wrongFrom.Attendee = "mallory@attacker.example"
		otherSigner := e.sign("attacker.example", render(t, "gmail_reply", decline))
		foreign := decline
		foreign.UID = domain.NewID()
		for _, c := range []struct {
			name string
			raw  []byte
			want domain.InboundState
		}{
			{"unsigned", unsigned, domain.InboundUnauthenticated},
			{"bad DKIM (body changed after signing)", tampered, domain.InboundUnauthenticated},
			{"signed by another domain", otherSigner, domain.InboundUnauthenticated},
			{"wrong From and ATTENDEE", e.sign("attacker.example", render(t, "gmail_reply", wrongFrom)), domain.InboundNotPatient},
			{"foreign UID", e.sign(patientDomain, render(t, "gmail_reply", foreign)), domain.InboundUnknownBooking},
			{"auto-reply", e.sign(patientDomain, render(t, "auto_reply", decline)), domain.InboundAutoReply},
			{"malformed MIME", e.sign(patientDomain, []byte("From: "+patientEmail+"\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nno end")), domain.InboundMalformed},
		} {
			if err := e.send(patientEmail, c.raw); err != nil {
				t.Fatalf("%s: SMTP: %v", c.name, err)
			}
			if m := e.last(); m.State != c.want {
				t.Errorf("%s: state %s (%s), want %s", c.name, m.State, m.Detail, c.want)
			}
			if got := e.booking(d.ID); got.Status != domain.StatusConfirmed || got.AttendeeStatus != domain.AttendeeNeedsAction {
				t.Fatalf("%s changed the booking: %s/%s", c.name, got.Status, got.AttendeeStatus)
			}
		}
	})
}

func TestRedeliveredReplyActsOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(outsideCutoff)
		r := answer(d, "DECLINED", "Declined")
		raw := e.sign(patientDomain, render(t, "gmail_reply", r))
		for range 2 {
			if err := e.send(patientEmail, raw); err != nil {
				t.Fatal(err)
			}
		}
		// A relay that adds a header makes other bytes with the same Message-ID.
		relayed := append([]byte("Received: from relay.example by mx.clinic.example; "+fixedNow.Format(time.RFC1123Z)+"\r\n"), raw...)
		if err := e.send(patientEmail, relayed); err != nil {
			t.Fatal(err)
		}
		list := e.messages()
		if len(list) != 2 {
			t.Fatalf("stored %d messages, want 2 (identical bytes stored once)", len(list))
		}
		if list[0].State != domain.InboundDuplicate || list[1].State != domain.InboundApplied {
			t.Fatalf("states = %s, %s; want duplicate (newest), applied", list[0].State, list[1].State)
		}
		got := e.booking(d.ID)
		if got.Status != domain.StatusCancelled || got.Sequence != d.Sequence+1 {
			t.Fatalf("booking %s seq %d, want cancelled once (seq %d)", got.Status, got.Sequence, d.Sequence+1)
		}
	})
}

func TestReplyForCancelledOrPastVisit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := e.invited(outsideCutoff)
		if _, err := e.sched.Cancel(context.Background(), domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}, d.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.send(patientEmail, e.sign(patientDomain, render(t, "gmail_reply", answer(d, "ACCEPTED", "Accepted")))); err != nil {
			t.Fatal(err)
		}
		if m := e.last(); m.State != domain.InboundClosed {
			t.Fatalf("reply to a cancelled visit: state %s, want booking_closed", m.State)
		}
		if got := e.booking(d.ID); got.AttendeeStatus != domain.AttendeeNeedsAction {
			t.Fatalf("attendee status of a cancelled visit became %s", got.AttendeeStatus)
		}
	})
}

func TestBounceMarksAddress(t *testing.T) {
	for _, format := range []string{"dsn_bounce", "plain_bounce"} {
		t.Run(format, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *env) {
				d := e.invited(outsideCutoff)
				sent := e.box.to(patientEmail)
				original := inbound.Read(sent[len(sent)-1].Data, "").MessageID
				if original == "" {
					t.Fatal("the confirmation has no Message-ID")
				}
				raw := render(t, format, reply{Original: original})
				if err := e.send("", raw); err != nil {
					t.Fatal(err)
				}
				m := e.last()
				if m.Kind != domain.InboundBounce || m.State != domain.InboundBounceRecorded || m.BookingID != d.ID {
					t.Fatalf("bounce = %s/%s booking %q (%s)", m.Kind, m.State, m.BookingID, m.Detail)
				}
				p, err := e.store.Patient(context.Background(), d.PatientID)
				if err != nil || p.EmailStatus != domain.EmailBouncing {
					t.Fatalf("patient email status %q (%v), want bouncing", p.EmailStatus, err)
				}
				// The pending reminder is held, and so is mail of later changes.
				if _, err := e.sched.Cancel(context.Background(), domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}, d.ID, ""); err != nil {
					t.Fatal(err)
				}
				before := len(e.box.to(patientEmail))
				e.deliver()
				if n := len(e.box.to(patientEmail)) - before; n != 0 {
					t.Fatalf("%d emails went to the bouncing address", n)
				}
				if n := len(e.box.to("sam@example.com")); n < 2 {
					t.Fatalf("the practitioner got %d notes, want the booking's and the cancellation's", n)
				}
			})
		})
	}
}

func TestBounceForUnknownMessageIsKept(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.invited(outsideCutoff)
		if err := e.send("", render(t, "dsn_bounce", reply{Original: domain.NewID() + "@frontdesk"})); err != nil {
			t.Fatal(err)
		}
		if m := e.last(); m.State != domain.InboundBounceUnmatched {
			t.Fatalf("state %s, want bounce_unmatched", m.State)
		}
		p, _ := e.store.Patients(context.Background(), domain.PatientFilter{Query: patientEmail})
		if len(p) != 1 || p[0].EmailStatus == domain.EmailBouncing {
			t.Fatalf("a bounce for a message we never sent marked the address: %+v", p)
		}
	})
}

func TestOversizedMessageIsRefusedAtSMTP(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		big := []byte("From: " + patientEmail + "\r\nSubject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", 2<<10))
		err := e.send(patientEmail, big)
		if err == nil || !strings.Contains(err.Error(), "552") {
			t.Fatalf("SMTP answer to a %d-byte message = %v, want 552", len(big), err)
		}
		if n := len(e.messages()); n != 0 {
			t.Fatalf("stored %d messages after refusing one", n)
		}
	})
}
