package survey

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/auth"
)

func TestLinkVerifiesUntilADayAfterTheClose(t *testing.T) {
	links, err := auth.NewLinks("l1", []byte(strings.Repeat("s", 32)), nil)
	require.NoError(t, err)
	closes := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	url := Link(links, "https://cx.example.cn/", "inv-1", closes)
	tok, ok := strings.CutPrefix(url, "https://cx.example.cn/public/survey/")
	require.True(t, ok, url)
	id, err := links.Verify(tok, LinkPurpose, closes)
	require.NoError(t, err)
	require.Equal(t, "inv-1", id)
	_, err = links.Verify(tok, LinkPurpose, closes.Add(25*time.Hour))
	require.Error(t, err, "a day after the close the link no longer works")
}
