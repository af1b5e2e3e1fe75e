package robot_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/robot/robottest"
)

// Each platform's receiver takes a message posted as its documentation
// says, signed with the right secret, and refuses one signed with another.
func TestPostToEachPlatform(t *testing.T) {
	s := robot.NewSender(&http.Client{Timeout: 5 * time.Second})
	m := robot.Message{Title: "投诉升级：TS-2026-000001", Text: "「判定投诉」环节已超期，已升级至市场部。", Link: "https://cx.example.com/complaints/1"}
	for _, v := range robot.Vendors {
		r := robottest.Start(v, "SEC-the-right-secret")
		answer, err := s.Post(context.Background(), v, r.URL(), r.Secret, m)
		require.NoError(t, err, "%s: %s", v, answer)
		got := r.Messages()
		require.Len(t, got, 1, v)
		require.Contains(t, got[0].Text, "已升级至市场部", v)
		require.Contains(t, got[0].Text, "(https://cx.example.com/complaints/1)", v)
		if v != robot.WeCom {
			require.Equal(t, m.Title, got[0].Title, v)
			_, err = s.Post(context.Background(), v, r.URL(), "SEC-a-wrong-secret", m)
			var refused *robot.Refused
			require.True(t, errors.As(err, &refused), "%s: %v", v, err)
			require.True(t, refused.Permanent, v)
		} else {
			_, err = s.Post(context.Background(), v, r.Server.URL+"/cgi-bin/webhook/send?key=wrong", "", m)
			require.Error(t, err)
		}
		require.Equal(t, 1, r.Refusals(), v)
		r.Close()
	}
}

// The signatures as the platforms document them: DingTalk signs
// "timestamp\nsecret" keyed with the secret; Feishu signs nothing, keyed with
// "timestamp\nsecret".
func TestSignatures(t *testing.T) {
	mac := func(key, msg string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(msg))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	require.Equal(t, mac("SEC1", "1700000000000\nSEC1"), robot.DingTalkSign("SEC1", 1700000000000))
	require.Equal(t, mac("1700000000\nSEC1", ""), robot.FeishuSign("SEC1", 1700000000))
	require.NotEqual(t, robot.DingTalkSign("SEC1", 1700000000000), robot.DingTalkSign("SEC1", 1700000000001))
}
