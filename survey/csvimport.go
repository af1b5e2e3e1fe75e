package survey

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RowError is one thing wrong with one row of an imported file. The line is
// the file's own line number (the header is line 1), as a spreadsheet shows it.
type RowError struct {
	Line int `json:"line" doc:"The file's own line number, the header being line 1, as a spreadsheet shows it."`
	// Field is the column's English name (annual_volume); empty when the whole
	// row is wrong, e.g. it has the wrong number of cells.
	Field string `json:"field,omitempty" doc:"The column's English name, e.g. annual_volume; absent when the whole row is wrong (e.g. it has the wrong number of cells)."`
	// Column is the header as written in the file (年采购额), to find the cell by.
	Column  string `json:"column,omitempty" doc:"The column's header as written in the file, e.g. 年采购额."`
	Message string `json:"message"`
}

func (e RowError) Error() string {
	switch {
	case e.Field == "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	case e.Column != "" && e.Column != e.Field:
		return fmt.Sprintf("line %d: %s (%s): %s", e.Line, e.Field, e.Column, e.Message)
	default:
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
	}
}

// csvColumns are the columns an import understands, by English name, with the
// headers accepted for each. Exports from Chinese CRMs and hand-made
// spreadsheets use the Chinese names.
var csvColumns = []struct {
	field   string
	aliases []string
}{
	{"id", []string{"id", "customer_id", "客户编号"}},
	{"name", []string{"name", "customer_name", "客户名称"}},
	{"tier", []string{"tier", "等级", "客户等级"}},
	{"annual_volume", []string{"annual_volume", "年采购额"}},
	{"years", []string{"years", "years_as_customer", "合作年限"}},
	{"potential", []string{"potential", "有潜力"}},
	{"representative", []string{"representative", "代表性项目"}},
	{"segment", []string{"segment", "类别"}},
	{"contact_name", []string{"contact_name", "联系人"}},
	{"contact_phone", []string{"contact_phone", "电话", "联系电话"}},
	{"contact_email", []string{"contact_email", "邮箱", "email"}},
}

// requiredColumns cannot be left out: without a volume every customer would
// fall outside the volume rules and the sample would be silently wrong.
var requiredColumns = []string{"id", "name", "annual_volume"}

// csvFieldOf maps a Customer field, as Validate names it, to its column.
var csvFieldOf = map[string]string{
	"years_as_customer": "years",
	"contacts[0].name":  "contact_name",
	"contacts[0].phone": "contact_phone",
	"contacts[0].email": "contact_email",
}

// ParseCSV reads customers for bulk import: a header row, then one customer
// with at most one contact per row, in UTF-8 with or without a byte-order
// mark. Every bad row is reported with its line and field and left out whole;
// a bad row never stops the good ones. The error is for a file that cannot be
// read at all: not UTF-8, no header, an unknown or missing column.
func ParseCSV(r io.Reader) ([]Customer, []RowError, error) {
	br := bufio.NewReader(r)
	// Excel on Windows writes a byte-order mark before UTF-8.
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short row is that row's error, not the file's

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the file is empty: it needs a header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	cols, err := readHeader(header)
	if err != nil {
		return nil, nil, err
	}

	type row struct {
		line     int
		customer Customer
	}
	var rows []row
	var bad []RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, RowError{Line: pe.StartLine, Message: pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		c, errs := parseRow(rec, header, cols, line)
		if errs != nil {
			bad = append(bad, errs...)
			continue
		}
		if c != nil {
			rows = append(rows, row{line, *c})
		}
	}

	// A customer ID given twice is left out everywhere: the file does not say
	// which row is right, and keeping the first would hide the other.
	lines := map[string][]int{}
	for _, r := range rows {
		lines[r.customer.ID] = append(lines[r.customer.ID], r.line)
	}
	customers := []Customer{}
	for _, r := range rows {
		if ls := lines[r.customer.ID]; len(ls) > 1 {
			bad = append(bad, RowError{Line: r.line, Field: "id", Column: header[cols["id"]],
				Message: fmt.Sprintf("%s appears on lines %s", r.customer.ID, joinInts(ls))})
			continue
		}
		customers = append(customers, r.customer)
	}
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	return customers, bad, nil
}

// readHeader maps each known column to its index in the file.
func readHeader(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, errors.New("the file is not UTF-8: save it as \"CSV UTF-8\" (GBK is not supported)")
		}
		key := strings.ToLower(strings.TrimSpace(h))
		field := ""
		for _, c := range csvColumns {
			if slices.Contains(c.aliases, key) {
				field = c.field
			}
		}
		if field == "" {
			return nil, fmt.Errorf("header: unknown column %q in column %d; the columns are %s", h, i+1, knownColumns())
		}
		if j, dup := cols[field]; dup {
			return nil, fmt.Errorf("header: columns %d and %d are both %s", j+1, i+1, field)
		}
		cols[field] = i
	}
	for _, f := range requiredColumns {
		if _, ok := cols[f]; !ok {
			return nil, fmt.Errorf("header: column %s is required", f)
		}
	}
	return cols, nil
}

func knownColumns() string {
	var s []string
	for _, c := range csvColumns {
		s = append(s, strings.Join(c.aliases, "/"))
	}
	return strings.Join(s, ", ")
}

// parseRow turns one record into a customer, or into every error it has. A
// row of empty cells, as spreadsheets leave at the end, is neither.
func parseRow(rec, header []string, cols map[string]int, line int) (*Customer, []RowError) {
	blank := true
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			blank = false
		}
	}
	if blank {
		return nil, nil
	}
	if len(rec) != len(header) {
		return nil, []RowError{{Line: line, Message: fmt.Sprintf("has %d cells; the header has %d", len(rec), len(header))}}
	}

	var errs []RowError
	fail := func(field, format string, args ...any) {
		errs = append(errs, RowError{Line: line, Field: field, Column: header[cols[field]], Message: fmt.Sprintf(format, args...)})
	}
	cell := func(field string) string {
		i, ok := cols[field]
		if !ok {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for _, v := range rec {
		if !utf8.ValidString(v) {
			return nil, []RowError{{Line: line, Message: "is not valid UTF-8: save the file as \"CSV UTF-8\""}}
		}
	}

	c := Customer{
		ID:      cell("id"),
		Name:    cell("name"),
		Tier:    Tier(strings.ToUpper(cell("tier"))),
		Segment: cell("segment"),
	}
	if v, err := parseVolume(cell("annual_volume")); err != nil {
		fail("annual_volume", "%s", err)
	} else {
		c.AnnualVolume = v
	}
	if s := strings.TrimSuffix(cell("years"), "年"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err != nil {
			fail("years", "%q is not a whole number of years", cell("years"))
		} else {
			c.YearsAsCustomer = n
		}
	}
	for _, f := range []struct {
		field string
		to    *bool
	}{{"potential", &c.Potential}, {"representative", &c.Representative}} {
		if b, err := parseBool(cell(f.field)); err != nil {
			fail(f.field, "%s", err)
		} else {
			*f.to = b
		}
	}
	if ct := (Contact{Name: cell("contact_name"), Phone: cell("contact_phone"), Email: cell("contact_email")}); ct != (Contact{}) {
		c.Contacts = []Contact{ct}
	}

	failed := map[string]bool{}
	for _, e := range errs {
		failed[e.Field] = true
	}
	for _, e := range c.problems() {
		field := e.Field
		if f, ok := csvFieldOf[field]; ok {
			field = f
		}
		if failed[field] {
			continue // the parse error already says what is wrong with the cell
		}
		failed[field] = true
		column := ""
		if i, ok := cols[field]; ok {
			column = header[i]
		}
		errs = append(errs, RowError{Line: line, Field: field, Column: column, Message: e.Message})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &c, nil
}

// parseVolume reads an amount in RMB as spreadsheets write it: 1200000,
// "1,200,000", ¥1200000, 120万 or 120万元.
func parseVolume(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("is required (RMB; 0 for none)")
	}
	t := strings.NewReplacer(",", "", "，", "", " ", "", "¥", "", "￥", "").Replace(s)
	scale := 1.0
	t = strings.TrimSuffix(t, "元")
	if strings.HasSuffix(t, "万") {
		t, scale = strings.TrimSuffix(t, "万"), 10_000
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v != v || v < 0 || v > maxVolume/scale {
		return 0, fmt.Errorf("%q is not an amount in RMB between 0 and %.0f", s, float64(maxVolume))
	}
	return v * scale, nil
}

// parseBool reads a yes/no cell; empty is no.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "是", "y", "yes":
		return true, nil
	case "false", "0", "否", "n", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%q must be true/false, 1/0, 是/否 or Y/N", s)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
