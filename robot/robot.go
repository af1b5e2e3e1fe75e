// Package robot posts messages to the group-chat robots Chinese companies
// work in — DingTalk (钉钉) and Feishu (飞书) custom robots, signed with
// their secret as their documentation specifies, and WeCom (企业微信) group
// robots, whose URL carries their key — as Markdown with a link to where
// the reader acts.
package robot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Vendor names a robot's platform.
type Vendor string

// The platforms.
const (
	DingTalk Vendor = "dingtalk"
	WeCom    Vendor = "wecom"
	Feishu   Vendor = "feishu"
)

// Vendors lists the platforms.
var Vendors = []Vendor{DingTalk, WeCom, Feishu}

// Message is what a robot posts: a title, Markdown text and a link.
type Message struct {
	Title string
	Text  string
	Link  string
}

// DingTalkSign is DingTalk's custom-robot signature for a timestamp in
// milliseconds: Base64 of HMAC-SHA256 over "timestamp\nsecret", keyed with
// the secret (sent URL-encoded as the sign query parameter).
func DingTalkSign(secret string, timestampMillis int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestampMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FeishuSign is Feishu's custom-bot signature for a timestamp in seconds:
// Base64 of HMAC-SHA256 keyed with "timestamp\nsecret" over nothing (sent in
// the body's sign field).
func FeishuSign(secret string, timestampSeconds int64) string {
	m := hmac.New(sha256.New, []byte(strconv.FormatInt(timestampSeconds, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sender posts to robots.
type Sender struct {
	client *http.Client
	now    func() time.Time
}

// NewSender posts through client (its dialler decides which addresses it
// may reach; see webhook.NewSender's), each post bounded by its timeout.
func NewSender(client *http.Client) *Sender { return &Sender{client: client, now: time.Now} }

// Refused is a platform's refusal. Permanent: the same message will not be
// taken later (a wrong signature, key or format); a rate limit is not.
type Refused struct {
	Answer    string
	Permanent bool
}

func (e *Refused) Error() string { return "the robot refused the message: " + e.Answer }

// Post sends m to the robot at target (its webhook URL), signed with secret
// where the platform signs, and answers what the platform said.
func (s *Sender) Post(ctx context.Context, vendor Vendor, target, secret string, m Message) (string, error) {
	text := m.Text
	if m.Link != "" {
		text += "\n\n[" + linkLabel + "](" + m.Link + ")"
	}
	var body any
	switch vendor {
	case DingTalk:
		if secret != "" {
			ts := s.now().UnixMilli()
			u, err := url.Parse(target)
			if err != nil {
				return "", fmt.Errorf("robot URL: %w", err)
			}
			q := u.Query()
			q.Set("timestamp", strconv.FormatInt(ts, 10))
			q.Set("sign", DingTalkSign(secret, ts))
			u.RawQuery = q.Encode()
			target = u.String()
		}
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Title, "text": "### " + m.Title + "\n\n" + text}}
	case WeCom:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": "**" + m.Title + "**\n" + text}}
	case Feishu:
		card := map[string]any{
			"header":   map[string]any{"title": map[string]string{"tag": "plain_text", "content": m.Title}},
			"elements": []any{map[string]any{"tag": "markdown", "content": text}},
		}
		b := map[string]any{"msg_type": "interactive", "card": card}
		if secret != "" {
			ts := s.now().Unix()
			b["timestamp"], b["sign"] = strconv.FormatInt(ts, 10), FeishuSign(secret, ts)
		}
		body = b
	default:
		return "", fmt.Errorf("unknown robot platform %q", vendor)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("robot request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("post to the %s robot: %w", vendor, scrub(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	answer := strings.TrimSpace(string(raw))
	if resp.StatusCode/100 != 2 {
		return answer, &Refused{Answer: fmt.Sprintf("%d %s", resp.StatusCode, answer), Permanent: resp.StatusCode/100 == 4 && resp.StatusCode != 429}
	}
	// The platforms answer 200 with their own code: 0 is taken.
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return answer, &Refused{Answer: "unreadable answer: " + answer}
	}
	code, msg := 0, ""
	switch {
	case r.ErrCode != nil:
		code, msg = *r.ErrCode, r.ErrMsg
	case r.Code != nil:
		code, msg = *r.Code, r.Msg
	}
	if code != 0 {
		return answer, &Refused{Answer: fmt.Sprintf("%d %s", code, msg), Permanent: !rateLimited(vendor, code)}
	}
	return answer, nil
}

// linkLabel is the link's text in a robot's message.
const linkLabel = "查看详情"

// rateLimited reports whether a platform's code says "too many messages":
// DingTalk 130101 (20 a minute per robot), WeCom 45009, Feishu 11232.
func rateLimited(v Vendor, code int) bool {
	switch v {
	case DingTalk:
		return code == 130101
	case WeCom:
		return code == 45009
	case Feishu:
		return code == 11232
	}
	return false
}

// scrub keeps a URL's key or token out of an error (*url.Error quotes it).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
