package webhook

import (
	"strings"
	"testing"
)

// The signature matches one computed elsewhere (Python's hmac module), as a receiver computes it.
func TestSign(t *testing.T) {
	body := []byte(`{"event":"test","interviewId":"abc"}`)
	const want = "sha256=73f81bb8beaad7f76b40efb91e37d87265cabfb5a379958eedc84daf1c3c243b"
	if got := Sign("whsec_example", 1767225600, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !Verify("whsec_example", 1767225600, body, want) {
		t.Fatal("Verify refused a good signature")
	}
	for name, ok := range map[string]bool{
		"other secret":    Verify("whsec_other", 1767225600, body, want),
		"other timestamp": Verify("whsec_example", 1767225601, body, want),
		"other body":      Verify("whsec_example", 1767225600, append(body, ' '), want),
	} {
		if ok {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		good bool
		say  string
	}{
		{"https://ats.example.com/hooks/takes", true, ""},
		{"https://ats.example.com:8443/h?x=1", true, ""},
		{"http://localhost:9000/hook", true, ""},
		{"http://127.0.0.1:9000/hook", true, ""},
		{"http://[::1]:9000/hook", true, ""},
		{"http://ats.example.com/hook", false, "https"},
		{"http://127.0.0.2/hook", false, "https"},
		{"http://localhost.evil.com/hook", false, "https"},
		{"ftp://ats.example.com/", false, "https URL"},
		{"ats.example.com/hook", false, "full URL"},
		{"https:///path", false, "full URL"},
		{"https://user:pw@ats.example.com/", false, "password"},
		{"https://ats.example.com/#x", false, "fragment"},
		{"", false, "Enter the URL"},
	}
	for _, tt := range tests {
		msg := CheckURL(tt.url)
		if (msg == "") != tt.good || !strings.Contains(msg, tt.say) {
			t.Errorf("CheckURL(%q) = %q, want good %v saying %q", tt.url, msg, tt.good, tt.say)
		}
	}
}
