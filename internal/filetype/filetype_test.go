package filetype

import (
	"archive/zip"
	"bytes"
	"testing"
)

// office builds a zip whose entries are named as an Office document's.
func office(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<xml/>"))
	}
	z.Close()
	return b.Bytes()
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name, file string
		head       []byte
		want       string // "" = refused
	}{
		{"pdf", "notes.pdf", []byte("%PDF-1.7\n..."), "pdf"},
		{"pdf named as an image", "photo.jpg", []byte("%PDF-1.4\n"), "pdf"},
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "png"},
		{"jpeg", "a.jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "jpg"},
		{"gif", "a.gif", []byte("GIF89a\x01\x00"), "gif"},
		{"webp", "a.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "webp"},
		{"docx", "a.docx", office(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "docx"},
		{"xlsx named docx", "a.docx", office(t, "[Content_Types].xml", "xl/workbook.xml"), "xlsx"},
		{"pptx", "a.pptx", office(t, "[Content_Types].xml", "ppt/presentation.xml"), "pptx"},
		{"office zip, parts beyond the head", "a.pptx", office(t, "[Content_Types].xml"), "pptx"},
		{"plain zip", "a.docx", office(t, "evil.exe"), ""},
		{"old word", "a.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0, 0), "doc"},
		{"old excel", "a.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0, 0), "xls"},
		{"text", "readme", []byte("Lesson 1: fractions.\nBring rulers.\n"), "txt"},
		{"utf-8 text", "a.txt", []byte("Somo la Kiswahili — ñ é\n"), "txt"},
		{"html named txt", "a.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), ""},
		{"svg", "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"elf", "a.pdf", []byte("\x7fELF\x02\x01\x01"), ""},
		{"mp4", "a.mp4", []byte("\x00\x00\x00\x18ftypmp42"), ""},
		{"binary", "a.txt", []byte{0, 1, 2, 3}, ""},
		{"empty", "a.txt", nil, ""},
	} {
		k, ok := Detect(c.head, c.file)
		if got := map[bool]string{true: k.Ext}[ok]; got != c.want {
			t.Errorf("%s: Detect = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestImagesOnly(t *testing.T) {
	for ext, k := range byExt {
		want := map[string]bool{"png": true, "jpg": true, "gif": true, "webp": true, "bmp": true}[ext]
		if k.Image != want {
			t.Errorf("%s: Image = %v, want %v", ext, k.Image, want)
		}
	}
}
