package recorder

import "errors"

// ErrRecording is returned when a take is started while one is being recorded.
var ErrRecording = errors.New("recorder: a take is already being recorded")

// ErrNotRecording is returned when a take is stopped while none is being recorded.
var ErrNotRecording = errors.New("recorder: no take is being recorded")

// ErrNoMedia is returned when a take is started before camera and microphone send media.
var ErrNoMedia = errors.New("recorder: camera and microphone are not connected")

// ErrEmptyTake is returned when a take is stopped before its first video keyframe arrived.
var ErrEmptyTake = errors.New("recorder: no video arrived before the take was stopped")

// ErrClosed is returned by a session that has been closed.
var ErrClosed = errors.New("recorder: session closed")
