package overlay

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type rule struct {
	Name  string   `json:"name"`
	Share float64  `json:"share"`
	Tags  []string `json:"tags,omitempty"`
}

type settings struct {
	Title string          `json:"title"`
	Rules []rule          `json:"rules"`
	Inner struct{ N int } `json:"inner"`
	Map   map[string]int  `json:"map"`
}

func defaults() settings {
	s := settings{Title: "default", Rules: []rule{{"big", 1, []string{"a"}}, {"mid", 0.9, nil}}, Map: map[string]int{"x": 1}}
	s.Inner.N = 7
	return s
}

func TestGivenListsReplaceDefaults(t *testing.T) {
	s := defaults()
	require.NoError(t, Decode([]byte(`{"rules": [{"name": "only"}], "map": {"y": 2}}`), &s))
	require.Equal(t, []rule{{Name: "only"}}, s.Rules, "no default share or tags leak into the given rule")
	require.Equal(t, map[string]int{"y": 2}, s.Map)
	require.Equal(t, "default", s.Title, "absent fields keep their defaults")
	require.Equal(t, 7, s.Inner.N)
}

func TestAbsentListsKeepDefaults(t *testing.T) {
	s := defaults()
	require.NoError(t, Decode([]byte(`{"title": "mine"}`), &s))
	require.Equal(t, defaults().Rules, s.Rules)
	require.Equal(t, "mine", s.Title)
}

func TestUnknownFieldsAreErrors(t *testing.T) {
	s := defaults()
	require.Error(t, Decode([]byte(`{"titel": "typo"}`), &s))
	require.Error(t, Decode([]byte(`{"title": `), &s))
}
