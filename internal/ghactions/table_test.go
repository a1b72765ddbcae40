package ghactions

import "testing"

func TestTable(t *testing.T) {
	tests := []struct {
		name  string
		table *Table
		want  string
	}{
		{"plain", NewTable("a", "b").Row("1", "2").Row("3", "4"),
			"| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |\n"},
		{"escaped", NewTable("cmd").Row("a | b").Row("line1\nline2\r\nline3"),
			"| cmd |\n| --- |\n| a \\| b |\n| line1<br>line2<br>line3 |\n"},
		{"ragged", NewTable("a", "b").Row("1").Row("1", "2", "3"),
			"| a | b |  |\n| --- | --- | --- |\n| 1 |  |  |\n| 1 | 2 | 3 |\n"},
		{"right-aligned", NewTable("binary", "size").AlignRight(1).Row("app", "6.3 MB"),
			"| binary | size |\n| --- | ---: |\n| app | 6.3 MB |\n"},
		{"header only", NewTable("a"), "| a |\n| --- |\n"},
		{"empty", NewTable(), ""},
	}
	for _, tt := range tests {
		if got := tt.table.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
