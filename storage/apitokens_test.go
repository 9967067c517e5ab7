package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestAPITokens(t *testing.T) {
	db := openEmpty(t)
	secret, tok, err := db.CreateAPIToken("  Greenhouse ", RoleReviewer, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, APITokenPrefix) || !ValidToken(strings.TrimPrefix(secret, APITokenPrefix)) {
		t.Fatalf("secret %q is not tk_ and a token", secret)
	}
	if tok.Name != "Greenhouse" || tok.Role != RoleReviewer || tok.CreatedBy != "admin@example.com" || !ValidID(tok.ID) {
		t.Fatalf("token %+v", tok)
	}
	got, err := db.APITokenBySecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.Revoked() || got.LastUsedAt.IsZero() {
		t.Fatalf("by secret: %+v", got)
	}
	if _, err := db.APITokenBySecret(secret + "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a wrong secret: %v, want ErrNotFound", err)
	}
	list, err := db.APITokens()
	if err != nil || len(list) != 1 || list[0].ID != tok.ID {
		t.Fatalf("list: %+v, %v", list, err)
	}
}

func TestCreateAPITokenRefuses(t *testing.T) {
	db := openEmpty(t)
	tests := []struct {
		name, tokenName string
		role            Role
		want            error
	}{
		{"no name", "  ", RoleAdmin, ErrBadTokenName},
		{"long name", strings.Repeat("é", 101), RoleAdmin, ErrBadTokenName},
		{"unknown role", "ATS", Role("owner"), ErrBadRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := db.CreateAPIToken(tt.tokenName, tt.role, "a@example.com"); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
	if list, _ := db.APITokens(); len(list) != 0 {
		t.Fatalf("refused tokens were stored: %+v", list)
	}
}

func TestRevokeAPIToken(t *testing.T) {
	db := openEmpty(t)
	secret, tok, err := db.CreateAPIToken("ATS", RoleAdmin, "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := db.CreateAPIToken("Other", RoleAdmin, "a@example.com")
	revoked, err := db.RevokeAPIToken(tok.ID)
	if err != nil || !revoked.Revoked() {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	got, err := db.APITokenBySecret(secret)
	if err != nil || !got.Revoked() {
		t.Fatalf("a revoked token reads as %+v, %v", got, err)
	}
	again, err := db.RevokeAPIToken(tok.ID)
	if err != nil || !again.RevokedAt.Equal(revoked.RevokedAt) {
		t.Fatalf("revoking again moved the time: %v, %v", again.RevokedAt, err)
	}
	if o, _ := db.APITokenBySecret(other); o.Revoked() {
		t.Fatal("revoking one token revoked another")
	}
	if _, err := db.RevokeAPIToken("nosuchtoken"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown ID: %v", err)
	}
}

// LastUsedAt is written at most once a minute, so reads stay reads.
func TestAPITokenLastUsed(t *testing.T) {
	db := openEmpty(t)
	secret, _, _ := db.CreateAPIToken("ATS", RoleReviewer, "a@example.com")
	first, _ := db.APITokenBySecret(secret)
	second, _ := db.APITokenBySecret(secret)
	if !second.LastUsedAt.Equal(first.LastUsedAt) {
		t.Fatalf("touched twice within a minute: %v then %v", first.LastUsedAt, second.LastUsedAt)
	}
	old := time.Now().UTC().Add(-2 * time.Minute)
	db.bolt.Update(func(tx *bolt.Tx) error {
		return updateAPIToken(tx, apiTokenKey(secret), func(t *APIToken) { t.LastUsedAt = old })
	})
	third, _ := db.APITokenBySecret(secret)
	if !third.LastUsedAt.After(old.Add(time.Minute)) {
		t.Fatalf("a use after two minutes was not noted: %v", third.LastUsedAt)
	}
}

// Only the secret's hash is stored.
func TestAPITokenSecretNotStored(t *testing.T) {
	db := openEmpty(t)
	secret, _, _ := db.CreateAPIToken("ATS", RoleReviewer, "a@example.com")
	bare := strings.TrimPrefix(secret, APITokenPrefix)
	db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAPITokens).ForEach(func(k, v []byte) error {
			if strings.Contains(string(k), bare) || strings.Contains(string(v), bare) {
				t.Errorf("the secret is stored: %q = %q", k, v)
			}
			return nil
		})
	})
}

func TestSetWebhook(t *testing.T) {
	db, _, iv := openTest(t)
	wh := &Webhook{URL: "https://ats.example.com/hook", Secret: "s3cret"}
	if err := db.SetWebhook(iv.ID, wh); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Interview(iv.ID)
	if got.Webhook == nil || *got.Webhook != *wh || got.Title != iv.Title || len(got.Questions) != 2 {
		t.Fatalf("after set: %+v", got)
	}
	if err := db.SetWebhook(iv.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Interview(iv.ID); got.Webhook != nil {
		t.Fatalf("not removed: %+v", got.Webhook)
	}
	if err := db.SetWebhook("nosuchinterview", wh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown interview: %v", err)
	}
}
