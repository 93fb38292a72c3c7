package auth

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=") {
		t.Errorf("HashPassword = %q, want a PHC argon2id string", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("CheckPassword(right) = false")
	}
	for _, bad := range []string{"correct horse batter", "", "Correct horse battery"} {
		if CheckPassword(h, bad) {
			t.Errorf("CheckPassword(%q) = true", bad)
		}
	}
	for _, malformed := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA"} {
		if CheckPassword(malformed, "x") {
			t.Errorf("CheckPassword(%q) = true", malformed)
		}
	}
}
