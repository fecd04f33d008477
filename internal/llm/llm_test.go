package llm_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/llm"
	"github.com/teachtrack/api/internal/llm/llmtest"
)

// These tests run the client against llmtest, a local server speaking the
// chat-completions protocol: it stands in for the real service (OpenRouter),
// which can't be reached from these machines.

func client(t *testing.T, srv *llmtest.Server, timeout time.Duration, models ...string) *llm.Client {
	t.Helper()
	c := llm.New(llm.Config{BaseURL: srv.URL + "/", APIKey: "test-key", Models: models, Timeout: timeout})
	if c == nil {
		t.Fatal("llm.New returned nil for a configured client")
	}
	return c
}

func ask() llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: "user", Content: "hi"}}, Accept: func(s string) error {
		_, err := llm.JSONObject(s)
		return err
	}}
}

func TestNotConfigured(t *testing.T) {
	if c := llm.New(llm.Config{BaseURL: "http://127.0.0.1:1", Models: []string{"m"}}); c != nil {
		t.Fatalf("a client without an API key: %v, want nil", c)
	}
	var c *llm.Client
	if _, err := c.Complete(context.Background(), ask()); !errors.Is(err, llm.ErrNotConfigured) {
		t.Fatalf("nil client: %v, want ErrNotConfigured", err)
	}
}

func TestSuccess(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{"good": {Content: "```json\n{\"a\": \"b\"}\n```"}})
	res, err := client(t, srv, 5*time.Second, "good").Complete(context.Background(), ask())
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "good" || !strings.Contains(res.Content, `"a"`) {
		t.Errorf("result %+v", res)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Authorization != "Bearer test-key" || calls[0].Messages[0].Content != "hi" {
		t.Errorf("calls %+v", calls)
	}
}

func TestModelFallback(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{
		"busy":    {Status: http.StatusTooManyRequests},
		"broken":  {Status: http.StatusInternalServerError},
		"garbled": {Content: "Sure! Here is your plan: {not json"},
		"good":    {Content: `{"ok": true}`},
	})
	res, err := client(t, srv, 5*time.Second, "busy", "missing", "broken", "garbled", "good").Complete(context.Background(), ask())
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "good" {
		t.Errorf("answered by %s, want good", res.Model)
	}
	var order []string
	for _, c := range srv.Calls() {
		order = append(order, c.Model)
	}
	if got := strings.Join(order, ","); got != "busy,missing,broken,garbled,good" {
		t.Errorf("models tried %s", got)
	}
}

func TestMalformedEverywhere(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{
		"prose":    {Content: "I cannot answer in JSON."},
		"notchat":  {Raw: `<html>gateway</html>`},
		"nochoice": {Raw: `{"choices": []}`},
	})
	_, err := client(t, srv, 5*time.Second, "prose", "notchat", "nochoice").Complete(context.Background(), ask())
	if !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"prose: unusable answer", "notchat: response is not chat-completions JSON", "nochoice: empty answer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRateLimitedEverywhere(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{"a": {Status: 429}, "b": {Status: 429}})
	_, err := client(t, srv, 5*time.Second, "a", "b").Complete(context.Background(), ask())
	if !errors.Is(err, llm.ErrUnavailable) || !strings.Contains(err.Error(), "HTTP 429") {
		t.Fatalf("err %v, want ErrUnavailable naming the 429s", err)
	}
}

func TestRejectedStopsAtOnce(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{"a": {Status: 401}, "b": {Content: `{}`}})
	_, err := client(t, srv, 5*time.Second, "a", "b").Complete(context.Background(), ask())
	if !errors.Is(err, llm.ErrRejected) {
		t.Fatalf("err %v, want ErrRejected", err)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("%d calls after a 401, want 1 (a bad key fails for every model)", n)
	}
}

func TestTimeoutCoversEveryModel(t *testing.T) {
	srv := llmtest.New(t, map[string]llmtest.Reply{"slow": {Delay: 10 * time.Second, Content: `{}`}, "good": {Content: `{}`}})
	start := time.Now()
	_, err := client(t, srv, 300*time.Millisecond, "slow", "good").Complete(context.Background(), ask())
	if !errors.Is(err, llm.ErrTimeout) {
		t.Fatalf("err %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s with a 300ms budget", d)
	}
}

func TestJSONObject(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:                           `{"a":1}`,
		"```json\n{\"a\": {\"b\": 2}}\n```": `{"a": {"b": 2}}`,
		`Here it is: {"a":"}"} Enjoy!`:      `{"a":"}"}`,
	} {
		got, err := llm.JSONObject(in)
		if err != nil || string(got) != want {
			t.Errorf("JSONObject(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "no json", `{"a": }`, "}{"} {
		if _, err := llm.JSONObject(in); err == nil {
			t.Errorf("JSONObject(%q) accepted", in)
		}
	}
}
