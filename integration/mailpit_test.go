package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/email"
)

// TestMailpitReceivesWhatCxflowSends checks the mail path the stack sets
// up: a message sent through stack.smtp as stack.cfg.MailFrom arrives in the test Mailpit with its Message-ID, its
// Chinese subject and both bodies as they were written.
func TestMailpitReceivesWhatCxflowSends(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sender, err := email.NewSender(stack.smtp, stack.cfg.MailFrom)
	require.NoError(t, err)

	// Long enough that the encoded subject is folded over several lines,
	// with characters that quoted-printable must escape in the bodies.
	sent := email.Message{
		ID:      "mailpit-check-1@cxflow.test",
		To:      "张三 <zhangsan@example.com>",
		Subject: "【客诉流程】您的投诉（编号 CX-2026-0001）已受理，我们将在三个工作日内答复",
		Text:    "张先生：\n\n您的投诉已受理，编号 CX-2026-0001。\n如有疑问，请回复本邮件 = 谢谢。\n",
		HTML:    `<p>张先生：</p><p>您的投诉已受理，编号 <b>CX-2026-0001</b>。</p><p style="color:#333">如有疑问，请回复本邮件 = 谢谢。</p>`,
	}
	require.NoError(t, sender.Send(ctx, sent))

	got, err := stack.mailpit.WaitForMessage(ctx, "message-id:"+sent.ID)
	require.NoError(t, err)
	require.Equal(t, sent.ID, got.MessageID)
	require.Equal(t, sent.Subject, got.Subject)
	// Line endings travel as CRLF on the wire; the content must not change.
	require.Equal(t, sent.Text, strings.ReplaceAll(got.Text, "\r\n", "\n"))
	require.Equal(t, sent.HTML, strings.TrimRight(got.HTML, "\r\n"))
	require.Len(t, got.To, 1)
	require.Equal(t, "zhangsan@example.com", got.To[0].Address)
	require.Equal(t, "张三", got.To[0].Name)
	require.NotNil(t, got.From)
	require.Equal(t, "noreply@example.com", got.From.Address)

	headers, err := stack.mailpit.Headers(ctx, got.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"<" + sent.ID + ">"}, headers["Message-Id"])
	require.Len(t, headers["Content-Type"], 1)
	require.Contains(t, headers["Content-Type"][0], "multipart/alternative")
}
