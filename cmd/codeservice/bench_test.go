package main

import "testing"

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8443", true},
		{"http://127.3.4.5:80", true},
		{"http://[::1]:8443", true},
		{"http://localhost:8443", true},
		{"http://10.0.0.1:8443", false},
		{"http://192.168.1.2", false},
		{"http://example.com", false},
		{"not a url", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := loopbackOnly(tt.url) == nil; got != tt.want {
				t.Errorf("loopbackOnly(%q) allowed = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}
