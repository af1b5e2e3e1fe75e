package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/survey"
)

func TestGroupDissatisfiedOneActionPerDepartmentAndDimension(t *testing.T) {
	st := survey.Stats{Dissatisfied: []survey.Dissatisfaction{
		{Dimension: "service", DimensionName: "服务质量", OwnerDepartment: "market"},
		{Dimension: "product_quality", DimensionName: "产品质量", OwnerDepartment: "quality"},
		{Dimension: "service", DimensionName: "服务质量", OwnerDepartment: "market"},
		{Dimension: "price", DimensionName: "价格", OwnerDepartment: "market"},
	}}
	got := GroupDissatisfied(st)
	require.Equal(t, []ActionGroup{
		{Department: "market", Dimension: "price", Name: "价格", Count: 1},
		{Department: "market", Dimension: "service", Name: "服务质量", Count: 2},
		{Department: "quality", Dimension: "product_quality", Name: "产品质量", Count: 1},
	}, got)
	require.Empty(t, GroupDissatisfied(survey.Stats{}))
}

func TestSurveyLinkVerifies(t *testing.T) {
	links, err := auth.NewLinks("l1", []byte(strings.Repeat("s", 32)), nil)
	require.NoError(t, err)
	closes := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	url := SurveyLink(links, "https://cx.example.cn/", "inv-1", closes)
	tok, ok := strings.CutPrefix(url, "https://cx.example.cn/public/survey/")
	require.True(t, ok, url)
	id, err := links.Verify(tok, LinkPurposeSurvey, closes)
	require.NoError(t, err)
	require.Equal(t, "inv-1", id)
	_, err = links.Verify(tok, LinkPurposeSurvey, closes.Add(25*time.Hour))
	require.Error(t, err, "a day after the close the link no longer works")
}
