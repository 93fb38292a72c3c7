package main

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"testing"
)

// startTestSink runs the sink's SMTP and counts servers on free loopback
// ports and returns their addresses.
func startTestSink(t *testing.T) (smtpAddr, countsURL string) {
	t.Helper()
	s := newMailSink()
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, hsrv := serveSMTP(s, sl), serveCounts(s, hl)
	t.Cleanup(func() { _ = srv.Close(); _ = hsrv.Close() })
	return sl.Addr().String(), "http://" + hl.Addr().String()
}

func sendTestMail(t *testing.T, addr, messageID string) {
	t.Helper()
	hdr := ""
	if messageID != "" {
		hdr = "Message-ID: <" + messageID + ">\r\n"
	}
	msg := fmt.Sprintf("From: clinic@example.com\r\nTo: pat@example.com\r\n%sSubject: Booked\r\n\r\nSee you.\r\n", hdr)
	if err := smtp.SendMail(addr, nil, "clinic@example.com", []string{"pat@example.com"}, []byte(msg)); err != nil {
		t.Fatalf("send mail %q: %v", messageID, err)
	}
}

func TestSinkCountsByMessageID(t *testing.T) {
	addr, counts := startTestSink(t)
	sendTestMail(t, addr, "a1@frontdesk")
	sendTestMail(t, addr, "b2@frontdesk")
	sendTestMail(t, addr, "a1@frontdesk")
	sendTestMail(t, addr, "")
	got, err := fetchSinkCounts(context.Background(), counts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Messages != 4 || got.Unique != 2 || got.WithoutID != 1 {
		t.Errorf("counts = %+v, want 4 messages, 2 unique, 1 without id", got)
	}
	if got.Duplicates["a1@frontdesk"] != 2 || len(got.Duplicates) != 1 || got.IDs["b2@frontdesk"] != 1 {
		t.Errorf("duplicates = %v, ids = %v; want a1 twice, b2 once", got.Duplicates, got.IDs)
	}
}

func TestParseSinkLoopbackOnly(t *testing.T) {
	if _, err := parseSink([]string{"-listen", "0.0.0.0:2525"}); err == nil {
		t.Error("parseSink(-listen 0.0.0.0:2525) succeeded, want a loopback-only error")
	}
	if _, err := parseSink([]string{"-http", "[::1]:2526"}); err != nil {
		t.Errorf("parseSink(-http [::1]:2526) = %v", err)
	}
}
