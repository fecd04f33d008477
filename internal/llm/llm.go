// Package llm is a client for any OpenAI-compatible chat-completions service
// (OpenRouter, OpenAI, a local server): the lesson-plan assistant's only way
// to a language model. It knows the protocol, model fallback and time limits;
// what to ask and how to read the answer are the caller's.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Errors a completion fails with; callers map them to what users see.
var (
	// ErrNotConfigured: no API key, so no assistant.
	ErrNotConfigured = errors.New("llm: not configured")
	// ErrTimeout: the whole budget (Config.Timeout) ran out.
	ErrTimeout = errors.New("llm: timed out")
	// ErrUnavailable: every model failed (errors, rate limits, unusable answers).
	ErrUnavailable = errors.New("llm: no model gave a usable answer")
	// ErrRejected: the service refused our credentials; trying other models won't help.
	ErrRejected = errors.New("llm: the service refused the request")
)

// Config says where the service is and how long to wait for it.
type Config struct {
	BaseURL string   // e.g. https://openrouter.ai/api/v1 (…/chat/completions is appended)
	APIKey  string   // empty: not configured
	Models  []string // tried in order until one gives a usable answer
	// Timeout bounds one Complete call, every model included.
	Timeout time.Duration
	// HTTPClient defaults to a client without its own timeout (the context has it).
	HTTPClient *http.Client
}

// Client calls the service. Its zero value is not usable; use New.
type Client struct {
	cfg Config
	hc  *http.Client
}

// New returns a client for cfg, or nil when cfg has no API key or no model
// (the assistant is off).
func New(cfg Config) *Client {
	if cfg.APIKey == "" || len(cfg.Models) == 0 || cfg.BaseURL == "" {
		return nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg, hc: hc}
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"` // system | user | assistant
	Content string `json:"content"`
}

// Request is one completion to ask for.
type Request struct {
	Messages    []Message
	Temperature float64
	MaxTokens   int
	// Accept checks an answer's text; an answer it refuses counts as that
	// model failing, and the next model is asked. Nil accepts any text.
	Accept func(content string) error
}

// Result is the answer of the first model that gave a usable one.
type Result struct {
	Model   string
	Content string
}

// Complete asks each model in turn until one answers with text Accept
// takes. It fails with ErrTimeout once Config.Timeout has passed, with
// ErrRejected on 401/403, and otherwise with ErrUnavailable; the error says
// what each model did.
func (c *Client) Complete(ctx context.Context, req Request) (Result, error) {
	if c == nil {
		return Result{}, ErrNotConfigured
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var failures []string
	for _, model := range c.cfg.Models {
		content, err := c.once(ctx, model, req)
		if err == nil && req.Accept != nil {
			if aerr := req.Accept(content); aerr != nil {
				err = fmt.Errorf("unusable answer: %w", aerr)
			}
		}
		if err == nil {
			return Result{Model: model, Content: content}, nil
		}
		failures = append(failures, model+": "+err.Error())
		switch {
		case ctx.Err() != nil:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return Result{}, fmt.Errorf("%w after %s (%s)", ErrTimeout, c.cfg.Timeout, strings.Join(failures, "; "))
			}
			return Result{}, ctx.Err()
		case errors.Is(err, ErrRejected):
			return Result{}, fmt.Errorf("%w (%s)", ErrRejected, strings.Join(failures, "; "))
		}
	}
	return Result{}, fmt.Errorf("%w (%s)", ErrUnavailable, strings.Join(failures, "; "))
}

type chatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// once asks one model.
func (c *Client) once(ctx context.Context, model string, req Request) (string, error) {
	body, err := json.Marshal(chatRequest{Model: model, Messages: req.Messages, Temperature: req.Temperature, MaxTokens: req.MaxTokens})
	if err != nil {
		return "", err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	res, err := c.hc.Do(hr)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	// An answer is a few kB; 1 MiB bounds a misbehaving server.
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", err
	}
	var cr chatResponse
	jerr := json.Unmarshal(data, &cr)
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return "", fmt.Errorf("%w: HTTP %d", ErrRejected, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		msg := ""
		if jerr == nil && cr.Error != nil {
			msg = ": " + truncate(cr.Error.Message, 200)
		}
		return "", fmt.Errorf("HTTP %d%s", res.StatusCode, msg)
	case jerr != nil:
		return "", fmt.Errorf("response is not chat-completions JSON: %v", jerr)
	case cr.Error != nil:
		return "", fmt.Errorf("error in response: %s", truncate(cr.Error.Message, 200))
	case len(cr.Choices) == 0 || strings.TrimSpace(cr.Choices[0].Message.Content) == "":
		return "", errors.New("empty answer")
	}
	return cr.Choices[0].Message.Content, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// JSONObject returns the JSON object in a model's answer: models often wrap
// it in a ```json fence or a sentence, so the text from the first '{' to the
// last '}' is taken.
func JSONObject(content string) ([]byte, error) {
	i, j := strings.IndexByte(content, '{'), strings.LastIndexByte(content, '}')
	if i < 0 || j < i {
		return nil, errors.New("no JSON object in the answer")
	}
	b := []byte(content[i : j+1])
	if !json.Valid(b) {
		return nil, errors.New("the answer's JSON object is malformed")
	}
	return b, nil
}
