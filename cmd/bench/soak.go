package main

import "context"

type soak struct {
	*env
	users    int
	dur      interface{}
	rate     float64
	fuzztime string
}

func (s *soak) run(ctx context.Context) error { return nil }
