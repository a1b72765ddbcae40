package ghactions

import "strings"

// Table builds a GitHub-flavoured markdown table for the job summary.
// Cells are escaped: "|" becomes "\|" and line breaks become <br>.
type Table struct {
	header []string
	rows   [][]string
	right  map[int]bool
}

// NewTable starts a table with the given column titles.
func NewTable(header ...string) *Table {
	return &Table{header: header, right: map[int]bool{}}
}

// AlignRight right-aligns the columns with the given 0-based indexes
// (numbers, sizes, durations).
func (t *Table) AlignRight(cols ...int) *Table {
	for _, c := range cols {
		t.right[c] = true
	}
	return t
}

// Row adds a row. Missing cells are empty; extra cells get columns with
// empty titles.
func (t *Table) Row(cells ...string) *Table {
	t.rows = append(t.rows, cells)
	return t
}

// String is the markdown, one line per row, ending in a newline; "" for a
// table without columns.
func (t *Table) String() string {
	n := len(t.header)
	for _, r := range t.rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return ""
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range n {
			cell := ""
			if i < len(cells) {
				cell = escapeCell(cells[i])
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	b.WriteString("|")
	for i := range n {
		if t.right[i] {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

var cellEscaper = strings.NewReplacer("|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>")

func escapeCell(s string) string { return cellEscaper.Replace(s) }
