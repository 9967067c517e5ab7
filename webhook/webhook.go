// Package webhook sends signed events to the URL an interview's admins set, so an
// applicant tracking system hears of a submission without polling. The server's
// delivery queue (internal/app) and the settings page's test button (web) both send
// through it; docs/api.md says how a receiver checks a signature.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// The events.
const (
	EventSubmission = "submission.created" // a candidate sent their answers
	EventTest       = "test"               // an admin pressed "Send a test event"
)

// The headers of a delivery.
const (
	HeaderEvent     = "X-Takes-Event"
	HeaderDelivery  = "X-Takes-Delivery"  // the delivery's ID, the same on each retry
	HeaderTimestamp = "X-Takes-Timestamp" // Unix seconds, part of what is signed
	HeaderSignature = "X-Takes-Signature" // "sha256=" and the hex HMAC-SHA256 of timestamp "." body
)

// Timeout bounds one delivery attempt, from connecting to reading the answer's headers.
const Timeout = 10 * time.Second

// SecretPrefix starts every webhook secret.
const SecretPrefix = "whsec_"

// Event is the JSON body of a delivery.
type Event struct {
	Event        string     `json:"event"`
	InterviewID  string     `json:"interviewId"`
	InvitationID string     `json:"invitationId,omitempty"`
	Candidate    *Candidate `json:"candidate,omitempty"`
	SubmittedAt  time.Time  `json:"submittedAt,omitzero"`
	// ResultsURL is where the API serves the submission's results.
	ResultsURL string `json:"resultsUrl,omitempty"`
}

// Candidate names the candidate of an event as the recruiter invited them.
type Candidate struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// NewSecret returns a new random secret to sign deliveries with.
func NewSecret() string {
	return SecretPrefix + storage.NewToken()
}

// Sign returns the X-Takes-Signature of body sent at timestamp (Unix seconds).
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the signature of body sent at timestamp,
// comparing in constant time. A receiver should also refuse old timestamps.
func Verify(secret string, timestamp int64, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// NewClient returns the HTTP client deliveries are sent with: it gives up after
// Timeout and never follows a redirect (a 3xx answer is a failed delivery), so a
// webhook cannot be bounced to an address the admin did not set.
func NewClient() *http.Client {
	return &http.Client{
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// StatusError is a delivery the receiver answered with a status other than 2xx.
type StatusError struct {
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook: the receiver answered %d %s", e.Status, http.StatusText(e.Status))
}

// Retryable reports whether a failed delivery may succeed later: the receiver
// could not be reached, timed out, failed (5xx) or asked to slow down (408, 429).
func Retryable(err error) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return err != nil
	}
	return se.Status >= 500 || se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooManyRequests
}

// Send makes one delivery attempt of ev to wh, signed with wh.Secret at now, and
// returns nil when the receiver answered 2xx.
func Send(ctx context.Context, client *http.Client, wh storage.Webhook, deliveryID string, ev Event, now time.Time) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("webhook: encode event: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wh.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Takes-Webhook/1")
	req.Header.Set(HeaderEvent, ev.Event)
	req.Header.Set(HeaderDelivery, deliveryID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(wh.Secret, ts, body))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post to %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection can be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Status: resp.StatusCode}
	}
	return nil
}

// CheckURL returns a message for the admin when raw cannot be a webhook URL:
// it must be an absolute https URL, or http to this machine (localhost, 127.0.0.1
// or ::1), without user or password. It returns "" for a good URL.
func CheckURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return "Enter the URL that should receive the events."
	case err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "":
		return "Enter a full URL, such as https://ats.example.com/hooks/takes."
	case u.User != nil:
		return "Leave the user name and password out of the URL; the signature proves the events come from Takes."
	case u.Fragment != "":
		return "Leave the #fragment out of the URL."
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return "Use an https URL: events carry candidates' names and emails. Plain http is allowed only for localhost."
	}
	return "Enter an https URL, such as https://ats.example.com/hooks/takes."
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}
