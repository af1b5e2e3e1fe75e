package activities

import (
	"testing"

	"github.com/stretchr/testify/require"

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
