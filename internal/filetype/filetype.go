// Package filetype tells what kind of file an upload is from its first
// bytes, never from the name or Content-Type the client sent: those are
// whatever the client says, the bytes are what browsers and viewers act on.
package filetype

import (
	"bytes"
	"net/http"
	"strings"
	"unicode/utf8"
)

// SniffLen is how many leading bytes Detect wants: enough for the magic
// numbers and for the first entries of an Office document's zip.
const SniffLen = 64 << 10

// Kind is an accepted kind of file: the extension the frontend shows and
// stores it under, and the media type it is served with.
type Kind struct {
	Ext         string
	ContentType string
	// Image reports whether the kind may be a logo.
	Image bool
	// Inline reports whether browsers may show it in a page (PDF, images,
	// text); Office documents are always downloaded.
	Inline bool
}

var (
	pdf  = Kind{Ext: "pdf", ContentType: "application/pdf", Inline: true}
	png  = Kind{Ext: "png", ContentType: "image/png", Image: true, Inline: true}
	jpg  = Kind{Ext: "jpg", ContentType: "image/jpeg", Image: true, Inline: true}
	gif  = Kind{Ext: "gif", ContentType: "image/gif", Image: true, Inline: true}
	webp = Kind{Ext: "webp", ContentType: "image/webp", Image: true, Inline: true}
	bmp  = Kind{Ext: "bmp", ContentType: "image/bmp", Image: true, Inline: true}
	txt  = Kind{Ext: "txt", ContentType: "text/plain; charset=utf-8", Inline: true}
	docx = Kind{Ext: "docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
	xlsx = Kind{Ext: "xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	pptx = Kind{Ext: "pptx", ContentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
	doc  = Kind{Ext: "doc", ContentType: "application/msword"}
	xls  = Kind{Ext: "xls", ContentType: "application/vnd.ms-excel"}
	ppt  = Kind{Ext: "ppt", ContentType: "application/vnd.ms-powerpoint"}
)

var byExt = map[string]Kind{}

func init() {
	for _, k := range []Kind{pdf, png, jpg, gif, webp, bmp, txt, docx, xlsx, pptx, doc, xls, ppt} {
		byExt[k.Ext] = k
	}
}

// ByExt returns the kind stored under extension ext (how a stored file's
// key ends), if it is one of ours.
func ByExt(ext string) (Kind, bool) {
	k, ok := byExt[ext]
	return k, ok
}

var ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Detect tells the kind of a file from its first bytes (up to SniffLen; a
// shorter head means the whole file). name, the client's file name, is
// consulted only where the bytes cannot tell apart kinds of one family: an
// old Office file (doc, xls or ppt share one container format), or a zip
// that is an Office document whose parts come later than the head. It never
// makes an unaccepted file accepted. ok is false for anything else: HTML,
// SVG, scripts, executables, archives, videos.
func Detect(head []byte, name string) (Kind, bool) {
	ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return pdf, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return png, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return jpg, true
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return gif, true
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return webp, true
	case bytes.HasPrefix(head, []byte("BM")) && len(head) >= 26 && http.DetectContentType(head) == "image/bmp":
		return bmp, true
	case bytes.HasPrefix(head, ole2Magic):
		switch ext {
		case "xls":
			return xls, true
		case "ppt":
			return ppt, true
		}
		return doc, true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return officeZip(head, ext)
	}
	if isText(head) {
		return txt, true
	}
	return Kind{}, false
}

// officeZip tells which Office document a zip is from the names of its
// first entries (stored uncompressed in each local header): word/, xl/ or
// ppt/ parts, with [Content_Types].xml marking it as Office at all.
func officeZip(head []byte, ext string) (Kind, bool) {
	office := false
	for _, name := range zipNames(head) {
		switch {
		case strings.HasPrefix(name, "word/"):
			return docx, true
		case strings.HasPrefix(name, "xl/"):
			return xlsx, true
		case strings.HasPrefix(name, "ppt/"):
			return pptx, true
		case name == "[Content_Types].xml":
			office = true
		}
	}
	if k, ok := byExt[ext]; office && ok && (k == docx || k == xlsx || k == pptx) {
		return k, true
	}
	return Kind{}, false
}

// zipNames lists the names of the local file headers found in head.
func zipNames(head []byte) []string {
	var names []string
	sig := []byte("PK\x03\x04")
	for i := 0; ; {
		j := bytes.Index(head[i:], sig)
		if j < 0 {
			return names
		}
		h := head[i+j:]
		if len(h) < 30 {
			return names
		}
		n := int(h[26]) | int(h[27])<<8
		if 30+n > len(h) {
			return names
		}
		names = append(names, string(h[30:30+n]))
		i += j + 30 + n
	}
}

// isText reports whether head is plain text: valid UTF-8 (a rune cut at the
// end of the head aside) without control characters other than whitespace,
// and not markup a browser would run (HTML, SVG, XML).
func isText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	b := head
	if len(b) >= 3 && bytes.Equal(b[:3], []byte{0xEF, 0xBB, 0xBF}) {
		b = b[3:]
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			if len(b) < utf8.UTFMax && !utf8.FullRune(b) {
				break // the head ends inside a rune
			}
			return false
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			return false
		}
		b = b[size:]
	}
	ct := http.DetectContentType(head)
	return strings.HasPrefix(ct, "text/plain")
}
