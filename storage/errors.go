package storage

import "errors"

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("storage: not found")

// ErrTakeExists is returned when a take is begun on a question that already has one.
var ErrTakeExists = errors.New("storage: question already has a take")

// ErrNoTake is returned when a question's take is replaced or removed but it has none.
var ErrNoTake = errors.New("storage: question has no take")

// ErrBadState is returned when a take is not in the state an operation needs.
var ErrBadState = errors.New("storage: take is not in the required state")

// ErrBadKey is returned when a media key has a part that is not a server-generated ID.
var ErrBadKey = errors.New("storage: malformed media key")
