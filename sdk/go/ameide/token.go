package ameide

import "context"

// TokenSource gives the bearer token of each call; a refreshing source
// returns a fresh token when the old one is about to expire. An empty token
// sends no Authorization header.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always returns the same token.
type StaticToken string

// Token returns the token.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// TokenFunc adapts a function to a TokenSource (called once per call).
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }
