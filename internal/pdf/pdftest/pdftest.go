// Package pdftest reads the text of PDFs in tests with poppler's pdftotext
// (Debian's poppler-utils; make test installs it when missing), so tests check
// what a reader of the document sees rather than how it was drawn.
package pdftest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// Pages returns doc's text one string per page, in drawing order (pdftotext
// -raw: the lines of one table cell stay together).
func Pages(t testing.TB, doc []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is needed (apt-get install poppler-utils; make test installs it): %v", err)
	}
	cmd := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v %s", err, stderr.String())
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// Flat joins pages with every run of white space made one space, so text a
// table cell wrapped over several lines reads as one.
func Flat(pages ...string) string { return strings.Join(strings.Fields(strings.Join(pages, " ")), " ") }

// Text is doc's whole text, flattened.
func Text(t testing.TB, doc []byte) string {
	t.Helper()
	return Flat(Pages(t, doc)...)
}
