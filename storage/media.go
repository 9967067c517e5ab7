package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
)

// TakeFile is a take being written. WriteAt writes its bytes; Commit makes it a
// finished take, Abort throws it away.
type TakeFile interface {
	io.WriterAt
	Commit() error
	Abort() error
}

// MediaFile is a finished take opened for reading.
type MediaFile interface {
	io.ReadSeekCloser
	Stat() (fs.FileInfo, error)
}

// Media stores take files. Disk keeps them on local disk; the seam is here so an
// object store can take its place.
type Media interface {
	Create(k TakeKey) (TakeFile, error)
	Open(k TakeKey) (MediaFile, error)
	Remove(k TakeKey) error
	// CreateQuestionVideo and OpenQuestionVideo keep a recruiter's video question.
	CreateQuestionVideo(interview, question string) (TakeFile, error)
	OpenQuestionVideo(interview, question string) (MediaFile, error)
	RemoveQuestionVideo(interview, question string) error
	// RemoveInvitation deletes all of one invitation's files, for the deletion of a candidate.
	RemoveInvitation(interview, invitation string) error
}

// partSuffix marks a take that is still being written; readers never see it as a take.
const partSuffix = ".part"

// Disk keeps media files under one directory:
// <dir>/<interview>/<invitation>/<question>/take-<n>.webm.
// All access goes through an os.Root, so no path can leave the directory.
type Disk struct {
	root *os.Root
}

// OpenDisk opens (creating if needed) the media directory dir.
func OpenDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: media dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: media dir: %w", err)
	}
	return &Disk{root: root}, nil
}

// Close releases the directory.
func (d *Disk) Close() error {
	return d.root.Close()
}

// MediaPath returns the file name of a finished take, relative to the media directory.
func MediaPath(k TakeKey) (string, error) {
	for _, part := range []string{k.Interview, k.Invitation, k.Question} {
		if !ValidID(part) {
			return "", ErrBadKey
		}
	}
	if k.N <= 0 {
		return "", ErrBadKey
	}
	return path.Join(k.Interview, k.Invitation, k.Question, "take-"+strconv.Itoa(k.N)+".webm"), nil
}

// questionVideoPath returns the file name of a video question: video questions sit in
// a folder whose name no ID can take.
func questionVideoPath(interview, question string) (string, error) {
	if !ValidID(interview) || !ValidID(question) {
		return "", ErrBadKey
	}
	return path.Join(interview, "_questions", question+".webm"), nil
}

// Create opens a new, empty .part file for a take. It fails if the file already exists.
func (d *Disk) Create(k TakeKey) (TakeFile, error) {
	name, err := MediaPath(k)
	if err != nil {
		return nil, err
	}
	return d.create(name, os.O_EXCL)
}

// CreateQuestionVideo opens a .part file for a video question; committing it
// replaces the question's earlier video.
func (d *Disk) CreateQuestionVideo(interview, question string) (TakeFile, error) {
	name, err := questionVideoPath(interview, question)
	if err != nil {
		return nil, err
	}
	return d.create(name, os.O_TRUNC)
}

// OpenQuestionVideo opens a video question for reading.
func (d *Disk) OpenQuestionVideo(interview, question string) (MediaFile, error) {
	name, err := questionVideoPath(interview, question)
	if err != nil {
		return nil, err
	}
	return d.open(name)
}

func (d *Disk) create(name string, flag int) (TakeFile, error) {
	if err := d.root.MkdirAll(path.Dir(name), 0o700); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", name, err)
	}
	f, err := d.root.OpenFile(name+partSuffix, os.O_RDWR|os.O_CREATE|flag, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", name, err)
	}
	return &PartFile{File: f, disk: d, name: name}, nil
}

// Open opens a finished take for reading.
func (d *Disk) Open(k TakeKey) (MediaFile, error) {
	name, err := MediaPath(k)
	if err != nil {
		return nil, err
	}
	return d.open(name)
}

func (d *Disk) open(name string) (MediaFile, error) {
	f, err := d.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", name, err)
	}
	return f, nil
}

// Remove deletes a take's file, finished or not. A file that is already gone is not an error.
func (d *Disk) Remove(k TakeKey) error {
	name, err := MediaPath(k)
	if err != nil {
		return err
	}
	for _, n := range []string{name, name + partSuffix} {
		if err := d.root.Remove(n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: remove %s: %w", n, err)
		}
	}
	return nil
}

// RemoveInvitation deletes the folder of one invitation's takes, finished or not,
// with everything in it. A folder that is already gone is not an error.
func (d *Disk) RemoveInvitation(interview, invitation string) error {
	if !ValidID(interview) || !ValidID(invitation) {
		return ErrBadKey
	}
	name := path.Join(interview, invitation)
	if err := d.root.RemoveAll(name); err != nil {
		return fmt.Errorf("storage: remove %s: %w", name, err)
	}
	return nil
}

// Exists reports whether a take has a finished file.
func (d *Disk) Exists(k TakeKey) bool {
	name, err := MediaPath(k)
	if err != nil {
		return false
	}
	_, err = d.root.Stat(name)
	return err == nil
}

// PartFile is a take being written. It becomes visible as a take only through Commit.
type PartFile struct {
	*os.File
	disk *Disk
	name string
}

// Commit syncs the file to disk, closes it and renames it to its final name.
func (p *PartFile) Commit() error {
	if err := p.File.Sync(); err != nil {
		p.File.Close()
		return fmt.Errorf("storage: sync %s: %w", p.name, err)
	}
	if err := p.File.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", p.name, err)
	}
	if err := p.disk.root.Rename(p.name+partSuffix, p.name); err != nil {
		return fmt.Errorf("storage: commit %s: %w", p.name, err)
	}
	return p.disk.syncDir(path.Dir(p.name))
}

// Abort closes and deletes the unfinished file.
func (p *PartFile) Abort() error {
	p.File.Close()
	if err := p.disk.root.Remove(p.name + partSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: abort %s: %w", p.name, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func (d *Disk) syncDir(dir string) error {
	f, err := d.root.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: sync dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: sync dir: %w", err)
	}
	return nil
}

// PartFiles lists the .part files left under the media directory, as take keys.
func (d *Disk) PartFiles() ([]TakeKey, error) {
	var out []TakeKey
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || path.Ext(p) != partSuffix {
			return err
		}
		if k, ok := parseMediaPath(p[:len(p)-len(partSuffix)]); ok {
			out = append(out, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list part files: %w", err)
	}
	return out, nil
}

func parseMediaPath(p string) (TakeKey, bool) {
	dir, file := path.Split(p)
	var k TakeKey
	if _, err := fmt.Sscanf(file, "take-%d.webm", &k.N); err != nil {
		return k, false
	}
	dir = path.Clean(dir)
	dir, k.Question = path.Split(dir)
	dir = path.Clean(dir)
	k.Interview, k.Invitation = path.Split(dir)
	k.Interview = path.Clean(k.Interview)
	_, err := MediaPath(k)
	return k, err == nil
}

var _ Media = (*Disk)(nil)

// Rebuild makes a finished take from what a crash left of it: the .part file, or
// else a finished file whose record was not updated. fn reads the old bytes and
// writes the new file; the result replaces the take's file, and the .part is removed.
// A take with neither file returns ErrNotFound.
func (d *Disk) Rebuild(k TakeKey, fn func(in io.Reader, out io.WriterAt) error) error {
	name, err := MediaPath(k)
	if err != nil {
		return err
	}
	src := name + partSuffix
	in, err := d.root.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		src = name
		in, err = d.root.Open(src)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: rebuild %s: %w", name, err)
	}
	defer in.Close()
	tmp := name + ".rebuild"
	out, err := d.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("storage: rebuild %s: %w", name, err)
	}
	err = fn(in, out)
	if err == nil {
		err = out.Sync()
	}
	out.Close()
	if err == nil {
		err = d.root.Rename(tmp, name)
	}
	if err != nil {
		d.root.Remove(tmp)
		return fmt.Errorf("storage: rebuild %s: %w", name, err)
	}
	if src != name {
		if err := d.root.Remove(src); err != nil {
			return fmt.Errorf("storage: rebuild %s: %w", name, err)
		}
	}
	return d.syncDir(path.Dir(name))
}

// TakeFiles lists the finished take files under the media directory, as take keys.
func (d *Disk) TakeFiles() ([]TakeKey, error) {
	var out []TakeKey
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || path.Ext(p) != ".webm" {
			return err
		}
		if k, ok := parseMediaPath(p); ok {
			out = append(out, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list take files: %w", err)
	}
	return out, nil
}
