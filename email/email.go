// Package email sends cxflow's messages over SMTP: where the mail goes
// (CXFLOW_SMTP_URL), and one message as a UTF-8 plain-text part with an
// HTML alternative, under a stable Message-ID so that a resent copy can be
// recognised by the receiver.
package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS says how the connection to the SMTP server is secured.
type TLS string

const (
	// STARTTLS when the server offers it (smtp://, the default).
	TLSOpportunistic TLS = "opportunistic"
	// STARTTLS or fail (smtp://…?starttls=required).
	TLSRequired TLS = "required"
	// Plain text (smtp://…?starttls=none), e.g. a local catcher.
	TLSNone TLS = "none"
	// TLS from the first byte (smtps://, port 465 by default).
	TLSImplicit TLS = "implicit"
)

// Server is an SMTP server to send through.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLS
}

// String names the server without its password, for logs.
func (s Server) String() string {
	scheme := "smtp"
	if s.TLS == TLSImplicit {
		scheme = "smtps"
	}
	user := ""
	if s.Username != "" {
		user = s.Username + "@"
	}
	return fmt.Sprintf("%s://%s%s (tls %s)", scheme, user, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), s.TLS)
}

// ParseURL reads smtp://user:pass@host:587 (STARTTLS when offered;
// ?starttls=required to insist, ?starttls=none to forbid) or
// smtps://user:pass@host:465 (implicit TLS).
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error quotes the whole URL, password included: say only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Server{}, fmt.Errorf("SMTP URL does not parse: %v", err)
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSOpportunistic, 587
		switch v := u.Query().Get("starttls"); v {
		case "", "opportunistic":
		case "required":
			s.TLS = TLSRequired
		case "none":
			s.TLS = TLSNone
		default:
			return Server{}, fmt.Errorf("SMTP URL: starttls=%q: use required or none", v)
		}
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
		if u.Query().Has("starttls") {
			return Server{}, errors.New("SMTP URL: smtps:// is TLS from the start; starttls does not apply")
		}
	default:
		return Server{}, fmt.Errorf("SMTP URL: scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return Server{}, errors.New("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, fmt.Errorf("SMTP URL: port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// Message is one e-mail.
type Message struct {
	// ID is the Message-ID without angle brackets (id@domain); the same
	// message always has the same one.
	ID string
	// InReplyTo threads the message under an earlier one (a complaint's
	// first mail), without angle brackets; optional.
	InReplyTo string
	To        string
	Subject   string
	Text      string
	// HTML is the alternative part; optional.
	HTML string
	Date time.Time
}

// Rejected is the server's refusal of a message. Permanent (5xx) refusals
// will not succeed on a retry; temporary (4xx) ones may.
type Rejected struct {
	Permanent bool
	Reason    string
}

func (e *Rejected) Error() string { return "the SMTP server refused the message: " + e.Reason }

// Sender sends through one server as one sender.
type Sender struct {
	server  Server
	from    string
	timeout time.Duration
}

// NewSender sends through server as from ("cxflow <noreply@example.com>").
func NewSender(server Server, from string) (*Sender, error) {
	if _, err := parseAddress(from); err != nil {
		return nil, fmt.Errorf("mail sender %q: %w", from, err)
	}
	return &Sender{server: server, from: from, timeout: 30 * time.Second}, nil
}

// Server is where the sender sends.
func (s *Sender) Server() Server { return s.server }

// Domain is the sender address's domain, for Message-IDs.
func (s *Sender) Domain() string {
	if a, err := parseAddress(s.from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			return d
		}
	}
	return "cxflow.invalid"
}

// Send delivers one message. A refusal by the server is a *Rejected; any
// other error (the server unreachable, a dropped connection) is temporary.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("sender %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return &Rejected{Permanent: true, Reason: fmt.Sprintf("recipient %q is not an e-mail address", m.To)}
	}
	msg.Subject(m.Subject)
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+m.InReplyTo+">")
		msg.SetGenHeader(gomail.HeaderReferences, "<"+m.InReplyTo+">")
	}
	if m.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.Date)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			// The server answered the message: 5xx for good, 4xx for now.
			return &Rejected{Permanent: se.ErrorCode() >= 500, Reason: se.Error()}
		}
	}
	if err != nil {
		return fmt.Errorf("send through %s: %w", s.server, err)
	}
	return nil
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.server.Port), gomail.WithTimeout(s.timeout)}
	switch s.server.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.server.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.server.Username), gomail.WithPassword(s.server.Password))
	}
	c, err := gomail.NewClient(s.server.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", s.server, err)
	}
	return c, nil
}

// parseAddress checks one address, with or without a display name.
func parseAddress(a string) (*netmail.Address, error) { return netmail.ParseAddress(a) }
