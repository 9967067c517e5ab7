package storage

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
)

func TestSetQuestionVideo(t *testing.T) {
	db, _, iv := openTest(t)
	q0, q1 := iv.Questions[0].ID, iv.Questions[1].ID
	if err := db.SetQuestionVideo(iv.ID, q1, true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Interview(iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Questions[0].Video || !got.Questions[1].Video || got.UpdatedAt.IsZero() {
		t.Fatalf("after setting q1: %+v", got.Questions)
	}
	if got.Questions[1].Text != "two" || got.Questions[0].ID != q0 {
		t.Fatalf("other fields changed: %+v", got.Questions)
	}
	if err := db.SetQuestionVideo(iv.ID, q1, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Interview(iv.ID); got.Questions[1].Video {
		t.Fatal("video flag still set after clearing it")
	}
	for name, ids := range map[string][2]string{
		"unknown question":  {iv.ID, "nope"},
		"unknown interview": {"nope", q0},
	} {
		if err := db.SetQuestionVideo(ids[0], ids[1], true); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

// A new recording replaces the old video only when it is committed; an aborted one
// leaves it as it was. RemoveQuestionVideo deletes it, and tolerates a missing file.
func TestQuestionVideoFile(t *testing.T) {
	d, err := OpenDisk(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	iv, q := NewID(), NewID()
	write := func(content string, commit bool) {
		t.Helper()
		f, err := d.CreateQuestionVideo(iv, q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte(content), 0); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = f.Commit()
		} else {
			err = f.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		t.Helper()
		f, err := d.OpenQuestionVideo(iv, q)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write("first", true)
	write("second, longer", false)
	if got := read(); got != "first" {
		t.Fatalf("after an aborted recording: %q, want the first", got)
	}
	write("3rd", true)
	if got := read(); got != "3rd" {
		t.Fatalf("after a second recording: %q", got)
	}
	for range 2 {
		if err := d.RemoveQuestionVideo(iv, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.OpenQuestionVideo(iv, q); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after removal: %v, want ErrNotFound", err)
	}
	if err := d.RemoveQuestionVideo("../x", q); !errors.Is(err, ErrBadKey) {
		t.Fatalf("bad key: %v", err)
	}
}
