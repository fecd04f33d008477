package mail

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"
)

// Links builds the frontend addresses that mails point to.
type Links struct {
	// FrontendURL is the site's base address, e.g. https://teachtrack.co.ke.
	FrontendURL string
}

func (l Links) withToken(path, token string) string {
	return strings.TrimRight(l.FrontendURL, "/") + path + "?token=" + url.QueryEscape(token)
}

// VerifyEmailURL is the page that confirms an address with token.
func (l Links) VerifyEmailURL(token string) string { return l.withToken("/verify-email", token) }

// ResetPasswordURL is the page that sets a new password with token; an
// invitation uses it too, to set the first one.
func (l Links) ResetPasswordURL(token string) string { return l.withToken("/reset-password", token) }

// LoginURL is the sign-in page.
func (l Links) LoginURL() string { return strings.TrimRight(l.FrontendURL, "/") + "/login" }

// page is the HTML layout every mail shares. html/template escapes the
// names and school names users typed.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html><body style="font-family:Arial,sans-serif;color:#1f2937;max-width:560px;margin:auto">
<h2 style="color:#4f46e5">TeachTrack</h2>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}" style="display:inline-block;padding:12px 20px;background:#4f46e5;color:#fff;border-radius:8px;text-decoration:none">{{.Button}}</a></p>
<p style="font-size:12px;color:#6b7280">Or open this address: {{.Link}}</p>
{{end}}{{if .Footer}}<p style="font-size:12px;color:#6b7280">{{.Footer}}</p>{{end}}
</body></html>`))

type content struct {
	Paragraphs []string
	Link       string
	Button     string
	Footer     string
}

func render(to, subject string, c content) Message {
	var h bytes.Buffer
	_ = page.Execute(&h, c) // cannot fail: the template is fixed and writes to memory
	var t strings.Builder
	for _, p := range c.Paragraphs {
		t.WriteString(p + "\n\n")
	}
	if c.Link != "" {
		t.WriteString(c.Button + ": " + c.Link + "\n\n")
	}
	if c.Footer != "" {
		t.WriteString(c.Footer + "\n")
	}
	return Message{To: to, Subject: oneLine(subject), Text: t.String(), HTML: h.String()}
}

// oneLine keeps user text in a subject on one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

func greeting(name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return "Hello " + name + ","
	}
	return "Hello,"
}

// VerifyEmail asks a new user to confirm their address.
func VerifyEmail(l Links, to, name, token string) Message {
	return render(to, "Confirm your e-mail address for TeachTrack", content{
		Paragraphs: []string{greeting(name), "Welcome to TeachTrack. Please confirm that this is your e-mail address."},
		Link:       l.VerifyEmailURL(token), Button: "Confirm my e-mail address",
		Footer: "The link works for 24 hours. If you didn't create a TeachTrack account, ignore this e-mail.",
	})
}

// ResetPassword sends a link that sets a new password.
func ResetPassword(l Links, to, name, token string) Message {
	return render(to, "Reset your TeachTrack password", content{
		Paragraphs: []string{greeting(name), "Someone asked to reset the password of your TeachTrack account. If it was you, choose a new password here."},
		Link:       l.ResetPasswordURL(token), Button: "Choose a new password",
		Footer: "The link works for 1 hour and only once. If you didn't ask for it, ignore this e-mail: your password stays as it is.",
	})
}

// Invitation invites someone without an account to join their school; they
// choose their own password through the link (no password is ever mailed).
func Invitation(l Links, to, school, token string) Message {
	return render(to, "You're invited to join "+school+" on TeachTrack", content{
		Paragraphs: []string{"Hello,", "Your school administrator has added you to " + school + " on TeachTrack, the curriculum tracker for teachers. Your school covers your subscription.", "Choose your password to start."},
		Link:       l.ResetPasswordURL(token), Button: "Choose my password",
		Footer: "The link works for 7 days and only once. If you weren't expecting this, ignore this e-mail.",
	})
}

// AddedToSchool tells an existing user that their school added them.
func AddedToSchool(l Links, to, name, school string) Message {
	return render(to, "You've been added to "+school+" on TeachTrack", content{
		Paragraphs: []string{greeting(name), "Your school administrator has added your TeachTrack account to " + school + ". Your school now covers your subscription; your subjects and records stay yours."},
		Link:       l.LoginURL(), Button: "Sign in",
	})
}
