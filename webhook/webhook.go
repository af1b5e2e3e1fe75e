// Package webhook posts cxflow's events to integrators' URLs: the JSON body
// {"id", "type", "at", "data"}, signed with the subscription's secret
// (X-Cxflow-Signature: sha256=<hex HMAC-SHA256 of the body>), to targets
// that are not this machine or the company's private network unless allowed
// (SSRF), checked both when a URL is registered and when it is dialled.
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
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Event is one event as an integrator receives it.
type Event struct {
	// ID is the event's identity: the same event resent keeps it, so a
	// receiver drops the copy.
	ID   string          `json:"id"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// The event types a subscription may ask for.
const (
	ComplaintRecorded      = "complaint.recorded"
	ComplaintStepCompleted = "complaint.step_completed"
	ComplaintEscalated     = "complaint.escalated"
	ComplaintClosed        = "complaint.closed"
	SurveyAnswered         = "survey.answered"
	ImprovementOpened      = "improvement.opened"
)

// Ping is the event an administrator's test of a webhook posts; no
// subscription asks for it.
const Ping = "ping"

// Types lists the event types.
var Types = []string{ComplaintRecorded, ComplaintStepCompleted, ComplaintEscalated, ComplaintClosed, SurveyAnswered, ImprovementOpened}

// Headers of a delivery.
const (
	HeaderEvent     = "X-Cxflow-Event"
	HeaderSignature = "X-Cxflow-Signature"
	HeaderDelivery  = "X-Cxflow-Delivery"
)

// Sign is the signature header's value for body: sha256=<hex HMAC-SHA256>.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's under secret, in constant time.
func Verify(secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// ErrPrivateTarget refuses a target on this machine or a private network.
var ErrPrivateTarget = errors.New("the URL's host is this machine or a private network address; webhooks go to public addresses (CXFLOW_WEBHOOK_ALLOW_PRIVATE=true allows private ones)")

// private reports whether an address is one a webhook must not reach
// unless allowed: loopback, private (RFC 1918, fc00::/7), link-local
// (cloud metadata services live there), unspecified, multicast, CGNAT.
func private(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

// CheckURL checks a target URL as an administrator registers it: http or
// https, a host, no user info; a literal address or a name that resolves,
// none of whose addresses private unless allowPrivate.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return errors.New("must be an http:// or https:// URL with a host")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password; the secret signs the deliveries")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if private(a) {
			return ErrPrivateTarget
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("the host %s does not resolve: %w", host, err)
	}
	for _, a := range addrs {
		if private(a) {
			return ErrPrivateTarget
		}
	}
	return nil
}

// Sender posts events. Its dialler checks the address it connects to, so a
// name that resolved to a public address when registered cannot later lead
// to a private one (DNS rebinding).
type Sender struct {
	client *http.Client
}

// NewSender posts with a timeout per delivery.
func NewSender(allowPrivate bool, timeout time.Duration) *Sender {
	return &Sender{client: Client(allowPrivate, timeout)}
}

// Client is an HTTP client for posting to outside services (webhooks,
// robots): its dialler refuses private addresses unless allowPrivate, it
// follows no redirect and ignores proxy settings, and each request is
// bounded by timeout.
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dial %s: %w", address, err)
		}
		if private(ap.Addr()) {
			return ErrPrivateTarget
		}
		return nil
	}}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, Proxy: nil}
	return &http.Client{Transport: tr, Timeout: timeout,
		// A redirect is the receiver's answer, not a new target to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Refused is a receiver's answer other than 2xx. Permanent: retrying the
// same request cannot help (4xx other than 408 and 429).
type Refused struct {
	Status    int
	Answer    string
	Permanent bool
}

func (e *Refused) Error() string {
	return fmt.Sprintf("the receiver answered %d: %s", e.Status, e.Answer)
}

// Post delivers one event, signed with secret, and answers the receiver's
// status and the start of its answer.
func (s *Sender) Post(ctx context.Context, target string, secret []byte, ev Event) (string, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cxflow-webhook/1")
	req.Header.Set(HeaderEvent, ev.Type)
	req.Header.Set(HeaderDelivery, ev.ID)
	req.Header.Set(HeaderSignature, Sign(secret, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("post to %s: %w", redacted(target), err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	answer := fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(head)))
	if resp.StatusCode/100 == 2 {
		return answer, nil
	}
	permanent := resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests
	return answer, &Refused{Status: resp.StatusCode, Answer: strings.TrimSpace(string(head)), Permanent: permanent}
}

// redacted is a URL without its query, which may hold a token.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL)"
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}
