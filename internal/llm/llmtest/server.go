// Package llmtest is a local HTTP server that speaks the OpenAI
// chat-completions protocol, for tests. It stands in for the real service
// (OpenRouter or another), which can't be reached from the machines the
// tests run on; everything else in those tests is real.
package llmtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Reply is how the server answers one model.
type Reply struct {
	Status  int           // 0: 200
	Content string        // the assistant message's text
	Raw     string        // when set, the whole response body instead
	Delay   time.Duration // wait before answering (the request's end stops it)
}

// Call is a request the server received.
type Call struct {
	Model         string
	Authorization string
	Messages      []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
}

// Server answers POST /chat/completions by model.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	replies map[string]Reply
	calls   []Call
}

// New starts a server whose replies are by model id; a model it doesn't
// know answers 404 as the real services do.
func New(t *testing.T, replies map[string]Reply) *Server {
	t.Helper()
	s := &Server{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Set replaces the reply for model.
func (s *Server) Set(model string, r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies[model] = r
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/chat/completions" {
		http.NotFound(w, r)
		return
	}
	var c Call
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	c.Authorization = r.Header.Get("Authorization")
	s.mu.Lock()
	s.calls = append(s.calls, c)
	rep, ok := s.replies[c.Model]
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"message":"No endpoints found for ` + c.Model + `."}}`))
		return
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Status != 0 && rep.Status != http.StatusOK {
		w.WriteHeader(rep.Status)
		_, _ = w.Write([]byte(`{"error":{"message":"upstream says ` + http.StatusText(rep.Status) + `"}}`))
		return
	}
	if rep.Raw != "" {
		_, _ = w.Write([]byte(rep.Raw))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "model": c.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": rep.Content}}},
	})
}
