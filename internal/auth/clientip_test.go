package auth

import (
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", "192.168.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff, want string
	}{
		{"no proxy", "203.0.113.5:1234", "", "203.0.113.5"},
		{"untrusted peer's header ignored", "203.0.113.5:1234", "1.2.3.4", "203.0.113.5"},
		{"trusted proxy", "10.1.2.3:1234", "198.51.100.7", "198.51.100.7"},
		{"spoofed left entry skipped", "10.1.2.3:1234", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
		{"chain of trusted proxies", "192.168.1.1:80", "198.51.100.7, 10.9.9.9", "198.51.100.7"},
		{"only proxies", "10.1.2.3:1234", "10.2.2.2", "10.2.2.2"},
		{"garbage header", "10.1.2.3:1234", "not-an-ip", "10.1.2.3"},
		{"ipv6 peer", "[2001:db8::1]:443", "", "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := proxies.ClientIP(r); got != tt.want {
				t.Errorf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := ParseProxies([]string{"nope"}); err == nil {
		t.Errorf("ParseProxies accepted %q", "nope")
	}
}
