package survey

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCSVEnglishHeader(t *testing.T) {
	in := "id,name,tier,annual_volume,years,potential,representative,segment,contact_name,contact_phone,contact_email\n" +
		"C001,华东机电有限公司,A,1200000,5,false,true,device,王伟,13800138000,wang@example.com\n" +
		"C002,\"Acme, Inc.\",b,\"850,000\",2,0,1,engineering,,021-55556666,\n" +
		"C003,New Co,,0,,,,,,,\n"
	customers, bad, err := ParseCSV(strings.NewReader(in))
	require.NoError(t, err)
	require.Empty(t, bad)
	require.Equal(t, []Customer{
		{ID: "C001", Name: "华东机电有限公司", Tier: TierA, AnnualVolume: 1_200_000, YearsAsCustomer: 5,
			Representative: true, Segment: "device",
			Contacts: []Contact{{Name: "王伟", Phone: "13800138000", Email: "wang@example.com"}}},
		{ID: "C002", Name: "Acme, Inc.", Tier: TierB, AnnualVolume: 850_000, YearsAsCustomer: 2,
			Representative: true, Segment: "engineering", Contacts: []Contact{{Phone: "021-55556666"}}},
		{ID: "C003", Name: "New Co", AnnualVolume: 0},
	}, customers)
}

func TestParseCSVChineseHeaderWithBOM(t *testing.T) {
	// Excel's "CSV UTF-8" starts with a byte-order mark; columns in any order.
	in := "\uFEFF客户名称,客户编号,年采购额,合作年限,有潜力,代表性项目,等级,类别,联系人,电话,邮箱\r\n" +
		"苏州精密,K01,120万,3年,是,否,A,device,李娜,0512-66881234,\r\n" +
		"杭州工程,K02,\"30,000元\",1,Y,N,c,engineering,,,li@example.cn\r\n"
	customers, bad, err := ParseCSV(strings.NewReader(in))
	require.NoError(t, err)
	require.Empty(t, bad)
	require.Len(t, customers, 2)
	require.Equal(t, Customer{ID: "K01", Name: "苏州精密", Tier: TierA, AnnualVolume: 1_200_000, YearsAsCustomer: 3,
		Potential: true, Segment: "device", Contacts: []Contact{{Name: "李娜", Phone: "0512-66881234"}}}, customers[0])
	require.Equal(t, Customer{ID: "K02", Name: "杭州工程", Tier: TierC, AnnualVolume: 30_000, YearsAsCustomer: 1,
		Potential: true, Segment: "engineering", Contacts: []Contact{{Email: "li@example.cn"}}}, customers[1])
}

func TestParseCSVReportsEveryBadRowAndKeepsTheGoodOnes(t *testing.T) {
	in := strings.Join([]string{
		"id,name,年采购额,potential,contact_phone", // 1
		"C1,好客户,100000,是,13800000000",          // 2 good
		"C2,,abc,maybe,12",                     // 3 four bad fields
		"C3,短行,100",                            // 4 too few cells
		"\"C4\",\"多行",                          // 5 a quoted name over two lines…
		"名称\",200000,否,13900000000",            // 6 …is one good row starting on line 5
		"C5,坏引号\"x,1,0,12345",                  // 7 bare quote
		"C6,负数,-5,0,13700000000",               // 8 negative volume
		",,,,",                                 // 9 blank: skipped, not an error
		"C7,重复,1,0,13600000000",                // 10 the same ID…
		"C7,重复二,2,0,13600000001",               // 11 …twice: both out
		"C8,最后,3,N,13500000000",                // 12 good
	}, "\n")
	customers, bad, err := ParseCSV(strings.NewReader(in))
	require.NoError(t, err)

	var ids []string
	for _, c := range customers {
		ids = append(ids, c.ID)
	}
	require.Equal(t, []string{"C1", "C4", "C8"}, ids)
	require.Equal(t, "多行\n名称", customers[1].Name)

	type at struct {
		line  int
		field string
	}
	var got []at
	for _, e := range bad {
		got = append(got, at{e.Line, e.Field})
	}
	require.ElementsMatch(t, []at{
		{3, "name"}, {3, "annual_volume"}, {3, "potential"}, {3, "contact_phone"},
		{4, ""},
		{7, ""},
		{8, "annual_volume"},
		{10, "id"}, {11, "id"},
	}, got)
	for i := 1; i < len(bad); i++ {
		require.LessOrEqual(t, bad[i-1].Line, bad[i].Line, "errors come in line order")
	}
	for _, e := range bad {
		if e.Line == 3 && e.Field == "annual_volume" {
			require.Equal(t, "年采购额", e.Column, "the column as the file names it")
			require.Contains(t, e.Error(), "line 3: annual_volume (年采购额)")
		}
		if e.Line == 10 {
			require.Contains(t, e.Message, "lines 10, 11")
		}
	}
}

func TestParseCSVRejectsUnreadableFiles(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"empty":          {"", "empty"},
		"only a BOM":     {"\uFEFF", "empty"},
		"unknown column": {"id,name,annual_volume,地址\n", "unknown column \"地址\""},
		"missing volume": {"id,name\nC1,x\n", "annual_volume is required"},
		"same column":    {"id,客户编号,name,annual_volume\n", "both id"},
		"GBK":            {"\xbf\xcd\xbb\xa7\xb1\xe0\xba\xc5,name,annual_volume\n", "not UTF-8"},
	} {
		_, _, err := ParseCSV(strings.NewReader(tc.in))
		require.ErrorContains(t, err, tc.want, name)
	}
}

func TestParseBool(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
		ok   bool
	}{
		{"true", true, true}, {"TRUE", true, true}, {"1", true, true}, {"是", true, true}, {"Y", true, true}, {"y", true, true},
		{"false", false, true}, {"0", false, true}, {"否", false, true}, {"N", false, true}, {"", false, true},
		{"maybe", false, false}, {"2", false, false}, {"对", false, false},
	} {
		got, err := parseBool(tc.in)
		require.Equal(t, tc.ok, err == nil, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseVolume(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1200000", 1_200_000, true},
		{"1,200,000", 1_200_000, true},
		{"120万", 1_200_000, true},
		{"85.5万元", 855_000, true},
		{"¥5000", 5000, true},
		{"5000元", 5000, true},
		{"0", 0, true},
		{"", 0, false},
		{"abc", 0, false},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
	} {
		got, err := parseVolume(tc.in)
		require.Equal(t, tc.ok, err == nil, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}
