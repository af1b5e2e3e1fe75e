// Package robottest runs local receivers for the robot platforms, which
// cannot be reached from a test: each implements the platform's documented
// request — URL, body and signature — answers as the platform does, and
// keeps what it took. The one kind of stand-in the project allows: a vendor's
// service out of reach.
package robottest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/cxflow/cxflow/robot"
)

// Received is one message a receiver took: its title and text as the
// platform would show them.
type Received struct {
	Title, Text string
}

// Receiver is one platform's robot endpoint.
type Receiver struct {
	*httptest.Server
	Vendor robot.Vendor
	// Secret (DingTalk, Feishu) or Key (WeCom) it checks.
	Secret, Key string
	mu          sync.Mutex
	got         []Received
	refused     int
}

// Messages are what it took, in order.
func (r *Receiver) Messages() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.got...)
}

// Refusals counts the requests it refused (a wrong signature or key).
func (r *Receiver) Refusals() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

// URL is the robot's webhook URL as the platform gives it.
func (r *Receiver) URL() string {
	switch r.Vendor {
	case robot.DingTalk:
		return r.Server.URL + "/robot/send?access_token=test-token"
	case robot.WeCom:
		return r.Server.URL + "/cgi-bin/webhook/send?key=" + r.Key
	}
	return r.Server.URL + "/open-apis/bot/v2/hook/test-hook"
}

// Start runs a receiver for vendor; secret is the signing secret (DingTalk,
// Feishu) or the key in the URL (WeCom).
func Start(vendor robot.Vendor, secret string) *Receiver {
	r := &Receiver{Vendor: vendor}
	if vendor == robot.WeCom {
		r.Key = secret
	} else {
		r.Secret = secret
	}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *Receiver) answer(w http.ResponseWriter, ok bool, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		r.mu.Lock()
		r.refused++
		r.mu.Unlock()
	}
	switch r.Vendor {
	case robot.Feishu:
		_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg})
	default:
		_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	switch r.Vendor {
	case robot.DingTalk:
		// 加签: timestamp (ms, within an hour of now) and sign in the query.
		ts, err := strconv.ParseInt(req.URL.Query().Get("timestamp"), 10, 64)
		fresh := err == nil && time.Since(time.UnixMilli(ts)).Abs() < time.Hour
		if req.URL.Path != "/robot/send" || req.URL.Query().Get("access_token") == "" {
			r.answer(w, false, 300001, "token is not exist")
			return
		}
		if !fresh || req.URL.Query().Get("sign") != robot.DingTalkSign(r.Secret, ts) {
			r.answer(w, false, 310000, "sign not match")
			return
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Title, Text string }
		}
		if json.Unmarshal(body, &m) != nil || m.MsgType != "markdown" || m.Markdown.Title == "" {
			r.answer(w, false, 40035, "缺少参数 json")
			return
		}
		r.keep(Received{Title: m.Markdown.Title, Text: m.Markdown.Text})
		r.answer(w, true, 0, "ok")
	case robot.WeCom:
		if req.URL.Path != "/cgi-bin/webhook/send" || req.URL.Query().Get("key") != r.Key {
			r.answer(w, false, 93000, "invalid webhook url")
			return
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Content string }
		}
		if json.Unmarshal(body, &m) != nil || m.MsgType != "markdown" || m.Markdown.Content == "" {
			r.answer(w, false, 40008, "invalid message type")
			return
		}
		r.keep(Received{Text: m.Markdown.Content})
		r.answer(w, true, 0, "ok")
	case robot.Feishu:
		var m struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Card      struct {
				Header   struct{ Title struct{ Content string } }
				Elements []struct{ Tag, Content string }
			}
		}
		if json.Unmarshal(body, &m) != nil {
			r.answer(w, false, 9499, "Bad Request")
			return
		}
		ts, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if _, berr := base64.StdEncoding.DecodeString(m.Sign); err != nil || berr != nil ||
			time.Since(time.Unix(ts, 0)).Abs() > time.Hour || m.Sign != robot.FeishuSign(r.Secret, ts) {
			r.answer(w, false, 19021, "sign match fail or timestamp is not within one hour from current time")
			return
		}
		if m.MsgType != "interactive" || len(m.Card.Elements) == 0 {
			r.answer(w, false, 9499, "Bad Request")
			return
		}
		r.keep(Received{Title: m.Card.Header.Title.Content, Text: m.Card.Elements[0].Content})
		r.answer(w, true, 0, "success")
	}
}

func (r *Receiver) keep(m Received) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
}
