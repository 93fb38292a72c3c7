package web

import "github.com/frontdesk/frontdesk/domain"

// attendeeLabel is the patient's answer to the invite, for staff.
func attendeeLabel(a domain.AttendeeStatus) string {
	switch a {
	case domain.AttendeeAccepted:
		return "Accepted"
	case domain.AttendeeDeclined:
		return "Declined"
	case domain.AttendeeTentative:
		return "Maybe"
	}
	return "No answer"
}

// inboundStateLabels name what came of a received message, for staff.
var inboundStateLabels = map[domain.InboundState]string{
	domain.InboundReceived:         "Waiting",
	domain.InboundApplied:          "Applied",
	domain.InboundUnchanged:        "No change",
	domain.InboundRefused:          "Call the patient",
	domain.InboundProposal:         "Proposed new time",
	domain.InboundProposalAccepted: "Proposal accepted",
	domain.InboundProposalDeclined: "Proposal declined",
	domain.InboundOutdated:         "Outdated",
	domain.InboundUnauthenticated:  "Not verified",
	domain.InboundNotPatient:       "Not the patient",
	domain.InboundUnknownBooking:   "Unknown visit",
	domain.InboundClosed:           "Visit closed",
	domain.InboundAutoReply:        "Auto-reply",
	domain.InboundDuplicate:        "Duplicate",
	domain.InboundMalformed:        "Unreadable",
	domain.InboundBounceRecorded:   "Bounced",
	domain.InboundBounceUnmatched:  "Bounce (no match)",
	domain.InboundIgnored:          "Ignored",
	domain.InboundFailed:           "Failed",
}

func inboundStateLabel(s domain.InboundState) string {
	if l, ok := inboundStateLabels[s]; ok {
		return l
	}
	return string(s)
}
