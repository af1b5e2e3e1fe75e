package survey

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "want a FieldError for %s, got %v", field, err)
	require.Equal(t, field, fe.Field, fe.Message)
}
