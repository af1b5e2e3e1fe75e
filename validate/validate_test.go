package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChecks(t *testing.T) {
	require.Nil(t, Required("name", "王芳", 10))
	require.Equal(t, "name: is required", Required("name", "  ", 10).Error())
	require.Equal(t, "name: must be at most 3 characters", Required("name", "王芳芳芳", 3).Error(), "runes, not bytes")
	require.Nil(t, Optional("note", "", 3))
	require.Equal(t, "note: is not valid UTF-8", Optional("note", "\xff", 3).Error())

	require.NoError(t, First(nil, nil), "typed nils stay a nil error")
	err := First(nil, Errorf("b", "bad %d", 2), Errorf("c", "worse"))
	var fe *Error
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "b", fe.Field)

	require.Equal(t, "q.scale: bad", Within("q", Errorf("scale", "bad")).Error())
	require.Equal(t, "q: plain", Within("q", errors.New("plain")).Error())
	require.NoError(t, Within("q", nil))
	require.True(t, strings.HasPrefix(Errorf("f", "%s", "x").Message, "x"))
}
