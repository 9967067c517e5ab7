package storage

import (
	"testing"
	"time"
)

func TestAuditLogNewestFirstWithFilters(t *testing.T) {
	db, _, _ := openTest(t)
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, e := range []AuditEntry{
		{Actor: "a@x", Action: "view candidate", InterviewID: "iv1", InvitationID: "c1"},
		{Actor: "b@x", Action: "view candidate", InterviewID: "iv1", InvitationID: "c2"},
		{Actor: "system", Action: "delete candidate", InterviewID: "iv2", InvitationID: "c3"},
	} {
		e.At = base.Add(time.Duration(i) * time.Minute)
		if err := db.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.AuditLog(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].InvitationID != "c3" || all[2].InvitationID != "c1" || all[0].ID == "" {
		t.Fatalf("log = %+v, want c3, c2, c1 with IDs", all)
	}
	iv1, _ := db.AuditLog(AuditFilter{InterviewID: "iv1"})
	if len(iv1) != 2 {
		t.Errorf("interview filter: %d entries, want 2", len(iv1))
	}
	before, _ := db.AuditLog(AuditFilter{Before: base.Add(90 * time.Second)})
	if len(before) != 2 || before[0].InvitationID != "c2" {
		t.Errorf("before filter: %+v, want c2, c1", before)
	}
	future, _ := db.AuditLog(AuditFilter{Before: base.Add(time.Hour)})
	if len(future) != 3 {
		t.Errorf("before after the last entry: %d entries, want 3", len(future))
	}
	one, _ := db.AuditLog(AuditFilter{Limit: 1})
	if len(one) != 1 || one[0].InvitationID != "c3" {
		t.Errorf("limit 1: %+v", one)
	}
}
